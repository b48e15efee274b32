import * as vscode from 'vscode';
import { displayLang } from './displayLang';
import type { GuestManager } from './guests';
import { buildTree, guestTooltip, type TreeNode } from './model/tree';

/** The KVM hosts' nodes (src/extension/host.ts), listed after the guests. */
export interface HostNodeSource { nodes(): TreeNode[]; onDidChange: vscode.Event<void> }

/** Nodes whose tooltip carries the check time relative to now. */
const FRESH_TOOLTIP = new Set<TreeNode['kind']>(['guest', 'verdict']);

/** Maps the plain tree model (model/tree.ts) to VS Code tree items. */
export class GuestTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: TreeNode[] | undefined;
  private readonly parents = new Map<string, TreeNode>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly guests: GuestManager, private readonly hosts?: HostNodeSource) {
    const refresh = () => {
      this.roots = undefined;
      this.changed.fire(undefined);
    };
    this.subscription = vscode.Disposable.from(guests.onDidChange(refresh), ...(hosts ? [hosts.onDidChange(refresh)] : []));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  /** The tree as plain data (the test API returns it). */
  nodes(): TreeNode[] {
    if (!this.roots) {
      this.roots = buildTree(this.guests.list(), { lang: displayLang() });
      if (this.hosts) this.roots = [...this.roots, ...this.hosts.nodes()];
      this.parents.clear();
      const walk = (node: TreeNode) => node.children.forEach((child) => { this.parents.set(child.id, node); walk(child); });
      this.roots.forEach(walk);
    }
    return this.roots;
  }

  node(id: string): TreeNode | undefined {
    const find = (nodes: TreeNode[]): TreeNode | undefined => {
      for (const node of nodes) {
        if (node.id === id) return node;
        const inner = find(node.children);
        if (inner) return inner;
      }
      return undefined;
    };
    return find(this.nodes());
  }

  /**
   * A guest being checked answers with its rows once the check ends. VS Code holds a tree refresh fired within 200 ms
   * of the previous one (the "checking" refresh) for 200 ms more; the view already waiting on these children draws
   * the verdict when it is ready instead.
   */
  getChildren(element?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (!element) return this.nodes();
    const running = element.kind === 'guest' ? this.guests.runningCheck(element.guestId) : undefined;
    if (running) return running.then(() => (this.node(element.id) ?? element).children);
    return (this.node(element.id) ?? element).children;
  }

  getParent(element: TreeNode): TreeNode | undefined {
    this.nodes();
    return this.parents.get(element.id);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const state = node.collapsible === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded
      : node.collapsible === 'collapsed' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    if (node.description !== undefined) item.description = node.description;
    // A guest's tooltip says how long ago it was checked: made on hover (resolveTreeItem), not when the tree was built.
    if (node.tooltip !== undefined && !FRESH_TOOLTIP.has(node.kind)) item.tooltip = new vscode.MarkdownString(node.tooltip);
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    item.contextValue = node.contextValue;
    if (node.command) item.command = node.command;
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    const guest = FRESH_TOOLTIP.has(node.kind) ? this.guests.get(node.guestId) : undefined;
    if (guest) item.tooltip = new vscode.MarkdownString(guestTooltip(guest, { lang: displayLang() }));
    else if (node.tooltip !== undefined) item.tooltip = new vscode.MarkdownString(node.tooltip);
    return item;
  }
}
