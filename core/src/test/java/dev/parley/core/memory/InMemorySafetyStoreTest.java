package dev.parley.core.memory;

import dev.parley.core.contract.SafetyStoreContract;
import dev.parley.core.port.BlockStore;
import dev.parley.core.port.ReportStore;

class InMemorySafetyStoreTest extends SafetyStoreContract {
    private final BlockStore blocks = new InMemoryBlockStore();
    private final ReportStore reports = new InMemoryReportStore();

    @Override
    protected BlockStore blocks() {
        return blocks;
    }

    @Override
    protected ReportStore reports() {
        return reports;
    }
}
