// The knowledge base: articles and runbooks in knowledge/, loaded, indexed and rendered.
// Pure TypeScript (no vscode import): used by the CLI's Markdown output and the extension.
export { HYPERVISORS, ID_PATTERN, parseKnowledgeDocument, type KnowledgeDoc, type KnowledgeHypervisor, type KnowledgeKind, type KnowledgeSource, type ParsedDocument } from './documents';
export { splitFrontMatter, type FrontMatterSplit } from './frontmatter';
export { defaultKnowledgeDir, documentsFor, getKnowledgeBase, isEnglishOnly, loadKnowledgeBase, mergeTranslation, translationDir, type KnowledgeBase } from './load';
export { articleEnglishOnly } from './paths';
export {
  articleMarkdownSection, highlightCode, internalHref, knowledgeWords, parseInternalHref, renderArticleHtml, renderKnowledgeMarkdown, resolveInternalLink,
  type InternalLink, type MarkdownSectionOptions, type RenderOptions,
} from './render';
export {
  expectedOutput, outputContains, parseBlockAttributes, parseRunbookBlocks, RUNNABLE_LANGUAGES,
  type RunbookBlock, type RunbookBlockAttributes,
} from './runbook-blocks';
