package dev.parley.core.media;

import dev.parley.core.contract.MediaStoreContract;
import dev.parley.core.port.MediaStore;

class InMemoryMediaStoreTest extends MediaStoreContract {
    @Override
    protected MediaStore newStore() {
        return new InMemoryMediaStore();
    }
}
