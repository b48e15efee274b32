// The evidence bundle lives in the transport layer, where the VS Code extension reads and writes it too.
export * from '../transport/evidence';
