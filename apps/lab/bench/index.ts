// `pnpm bench` for the kemu app: figures are printed side by side with their limit, never asserted.
import { runCliStartBench } from './cli-start.bench.js';

runCliStartBench();
