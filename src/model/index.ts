// Public API of src/model for tasks and commands. Re-exports only.
export type { ModelHandle, LoadedModel, ModelShape, LoadOptions } from './model.js';
export { loadModel } from './model.js';
export type { ModelCard, IoName, CardSource, CardFlags } from './card.js';
export type { Need, OutputName, IoMap } from './contract.js';
export { Vocabulary } from './vocab.js';
export type { VocabSpec, VocabPreset, VocabTable, Direction } from './vocab.js';
export type { ForwardRequest, ForwardSpec, OutputView, SequenceOutputs, Meter, BatchPolicy } from './runner.js';
export { planBatches, DEFAULT_BATCH_POLICY } from './runner.js';
export { slidingWindows, bestWindowPerResidue, centeredWindow } from './windows.js';
export type { ResidueWindow } from './windows.js';
export { logProbAt, logSoftmaxRow, logSumExpRow } from './logits.js';
export { checkConformance, CONFORMANCE_SEQUENCE } from './conformance.js';
export type { ConformanceReport, ConformanceCheck } from './conformance.js';
export { readOnnxFile, countParams, modelPrecision } from './onnx/file.js';
export type { OnnxFileInfo, ParamCount, Precision } from './onnx/file.js';
