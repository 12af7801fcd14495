package dev.parley.core.media;

import dev.parley.core.contract.BlobStoreContract;

class InMemoryBlobStoreTest extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
        return new InMemoryBlobStore();
    }
}
