import { MemoryStore } from '../../src/storage/index.js';
import { storeContract } from './contract.js';

storeContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
