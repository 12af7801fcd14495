package dev.parley.server.media;

/** Client file names made harmless: no folders, no control or quote characters, at most 200 characters. */
final class Filenames {
    private Filenames() {
    }

    /** The sanitised name, or null when nothing usable is left. */
    static String sanitize(String name) {
        if (name == null) {
            return null;
        }
        String base = name.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        StringBuilder out = new StringBuilder();
        base.codePoints().filter(c -> c >= 0x20 && c != 0x7f && c != '"' && !(c >= 0x80 && c < 0xa0)
                && c != 0x2028 && c != 0x2029 && !(c >= 0x202a && c <= 0x202e) && !(c >= 0x2066 && c <= 0x2069))
                .forEach(out::appendCodePoint);
        String s = out.toString().strip();
        while (s.startsWith(".")) {
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            return null;
        }
        return s.length() > 200 ? s.substring(s.length() - 200) : s;
    }
}
