// Converted outputs (outputs.ts) as VS Code notebook objects.

import * as vscode from 'vscode';

import type { Converted, Item } from './outputs';

function toItem(item: Item): vscode.NotebookCellOutputItem {
  if (item.kind === 'error') {
    const error = new Error(item.message);
    error.name = item.name;
    error.stack = item.stack || `${item.name}: ${item.message}`;
    return vscode.NotebookCellOutputItem.error(error);
  }
  return new vscode.NotebookCellOutputItem(item.data, item.mime);
}

export function toCellOutput(converted: Converted): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput(converted.items.map(toItem), converted.metadata);
}

/** Items that continue the previous output (a stream). */
export function appendItems(converted: Converted): vscode.NotebookCellOutputItem[] {
  return converted.items.map(toItem);
}
