// Node-only helpers of @kemu/core (file system, standard input). The main entry stays pure.
export { loadManifestFiles, loadManifestFilesOrThrow, readStdin } from './load-files.js';
