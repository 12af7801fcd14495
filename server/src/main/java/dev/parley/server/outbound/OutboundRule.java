package dev.parley.server.outbound;

import dev.parley.server.config.OutboundConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rule for every request the server sends on its own (push services, webhooks): {@code https} to a
 * host whose every address is public, or any scheme to a {@code host:port} the operator allowed
 * ({@code PARLEY_OUTBOUND_ALLOWED_HOSTS}). Applied when a URL is registered (the route answers 400) and
 * again, with a fresh DNS answer, on every delivery by {@link OutboundHttp}, which then connects only to an
 * address it checked: a name re-pointed at an internal address after registration (DNS rebinding) is
 * refused at delivery.
 *
 * <p>Every address must be public, not just one: a name answering both a public and a private address
 * would otherwise let the connection pick the private one. Thread-safe; {@link #check} blocks on DNS.
 */
public final class OutboundRule {
    /** Longest URL accepted; push endpoints are a few hundred characters. */
    public static final int MAX_URL_LENGTH = 2048;

    private final Set<String> allowedHosts;
    private final HostResolver resolver;

    public OutboundRule(OutboundConfig config, HostResolver resolver) {
        this.allowedHosts = Set.copyOf(config.allowedHosts());
        this.resolver = resolver;
    }

    public static OutboundRule of(OutboundConfig config) {
        return new OutboundRule(config, HostResolver.system());
    }

    /** Parses then {@link #check(URI)}s a URL given by a client. */
    public Destination check(String url) throws OutboundRefused {
        if (url == null || url.isBlank() || url.length() > MAX_URL_LENGTH) {
            throw new OutboundRefused(OutboundRefused.Reason.MALFORMED,
                    "url must be an absolute https URL of at most " + MAX_URL_LENGTH + " characters");
        }
        try {
            return check(new URI(url.strip()));
        } catch (java.net.URISyntaxException e) {
            throw new OutboundRefused(OutboundRefused.Reason.MALFORMED, "url is not a valid URL");
        }
    }

    /**
     * Whether the server may send to {@code uri}, resolving its host now.
     *
     * @return the destination with the checked addresses to connect to
     * @throws OutboundRefused naming the reason; the message is safe to show to the client
     */
    public Destination check(URI uri) throws OutboundRefused {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.isOpaque() || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new OutboundRefused(OutboundRefused.Reason.MALFORMED, "url must be an absolute https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new OutboundRefused(OutboundRefused.Reason.MALFORMED, "url must not carry user info");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new OutboundRefused(OutboundRefused.Reason.MALFORMED, "url has no (valid) host");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        boolean https = scheme.equals("https");
        int port = uri.getPort() == -1 ? (https ? 443 : 80) : uri.getPort();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        boolean allowListed = allowedHosts.contains(host + ":" + port);
        if (!https && !allowListed) {
            throw new OutboundRefused(OutboundRefused.Reason.NOT_HTTPS, "url must use https");
        }
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException | SecurityException e) {
            throw new OutboundRefused(OutboundRefused.Reason.UNRESOLVABLE, "url host does not resolve");
        }
        if (addresses == null || addresses.isEmpty()) {
            throw new OutboundRefused(OutboundRefused.Reason.UNRESOLVABLE, "url host does not resolve");
        }
        if (!allowListed) {
            for (InetAddress a : addresses) {
                AddressClass c = AddressClass.of(a);
                if (c != AddressClass.PUBLIC) {
                    throw new OutboundRefused(OutboundRefused.Reason.NOT_PUBLIC,
                            "url host is not a public address (" + c.name().toLowerCase(Locale.ROOT).replace('_', '-')
                                    + "); an operator may allow it in outbound.allowedHosts");
                }
            }
        }
        return new Destination(uri, bare, port, https, addresses, allowListed);
    }
}
