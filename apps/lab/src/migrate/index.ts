export { type ConversionResult, type ConvertOptions, convertIngresses } from './convert.js';
export { formatReport, isClean, type MigrationReport, type ReportEntry, type Verdict } from './report.js';
