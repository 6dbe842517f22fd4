import { MemoryCaseStore } from '../../src/escalation/case-store.js';
import { caseStoreContract } from './case-store.contract.js';

caseStoreContract('MemoryCaseStore', async () => ({
  store: new MemoryCaseStore(),
  cleanup: async () => {},
}));
