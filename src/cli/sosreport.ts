// `--sosreport PATH`: the analysis lives in the transport layer, where the VS Code extension's sosreport guests use it too.
export { analyzeSosreport, type SosreportAnalysis } from '../transport/sosreport-check';
