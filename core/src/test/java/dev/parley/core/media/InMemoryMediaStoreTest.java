package dev.parley.core.media;

import dev.parley.core.contract.MediaStoreContract;

class InMemoryMediaStoreTest extends MediaStoreContract {
    @Override
    protected MediaStore newStore() {
        return new InMemoryMediaStore();
    }
}
