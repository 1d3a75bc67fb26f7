/** The dataset a config names: the embedded digits, or the user's IDX files. */
import type { Dataset } from './dataset.js';
import { loadEmbeddedMnist } from './embedded.js';
import { loadIdxDataset } from './idx.js';

export interface DataSettings {
  dataset: 'mnist' | 'fashion-mnist';
  dataDir?: string;
}

export function loadDataset(settings: DataSettings): Dataset {
  return settings.dataDir === undefined ? loadEmbeddedMnist() : loadIdxDataset(settings.dataDir, settings.dataset);
}
