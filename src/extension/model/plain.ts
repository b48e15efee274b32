import type { TreeNode } from './tree';

/** A tree item as plain data, as the test API returns it (test/integration/api.ts reads this shape). */
export interface PlainTreeItem {
  id: string;
  kind: TreeNode['kind'];
  guestId: string;
  findingId?: string;
  label: string;
  description?: string;
  tooltip?: string;
  contextValue: string;
  iconId?: string;
  iconColor?: string;
  children: PlainTreeItem[];
}

export function toPlainTree(nodes: readonly TreeNode[]): PlainTreeItem[] {
  return nodes.map((node) => {
    const item: PlainTreeItem = { id: node.id, kind: node.kind, guestId: node.guestId, label: node.label, contextValue: node.contextValue, children: toPlainTree(node.children) };
    if (node.findingId) item.findingId = node.findingId;
    if (node.description !== undefined) item.description = node.description;
    if (node.tooltip !== undefined) item.tooltip = node.tooltip;
    if (node.icon) { item.iconId = node.icon.id; if (node.icon.color) item.iconColor = node.icon.color; }
    return item;
  });
}
