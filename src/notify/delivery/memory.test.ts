import { deliveryStoreContract } from './contract.ts';
import { MemoryDeliveryStore } from './memory.ts';

deliveryStoreContract('memory', async () => {
  const store = new MemoryDeliveryStore();
  return { store, other: async () => store, cleanup: async () => undefined };
});
