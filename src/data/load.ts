/** The dataset a config names: the embedded digits, or the user's IDX files. */
import type { Dataset } from './dataset.js';
import { loadEmbeddedMnist } from './embedded.js';
import { loadIdxDataset } from './idx.js';

export interface DataSettings {
  /** The dataset's name, as the report shows it. */
  dataset: string;
  dataDir?: string;
  /** IDX sets: the labels in class order (recorded when the config was resolved). */
  labels?: number[];
}

export function loadDataset(settings: DataSettings): Dataset {
  return settings.dataDir === undefined ? loadEmbeddedMnist() : loadIdxDataset(settings.dataDir, settings.dataset, settings.labels);
}
