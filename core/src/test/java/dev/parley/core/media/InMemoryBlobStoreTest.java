package dev.parley.core.media;

import dev.parley.core.contract.BlobStoreContract;
import dev.parley.core.port.BlobStore;

class InMemoryBlobStoreTest extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
        return new InMemoryBlobStore();
    }
}
