import { checkedPhrase, type TimeOptions } from '../../shared/presentation';
import { l10n } from './l10n';
import { statusWord } from './pageText';
import { WINDOW_GUEST_ID, type GuestState } from './tree';

/** vscode-free: what "Check Ballooning" without a guest argument offers. */

export type CheckChoice = { kind: 'guests'; ids: string[] } | { kind: 'add-ssh-host' };

export interface CheckPickItem { label: string; description?: string; detail?: string; choice: CheckChoice }

/**
 * The window's guest alone is checked at once; otherwise the guests are offered (and all of them at once when
 * `withAll`). A window that is not a guest (not on Linux) also offers "Add SSH Host", the way to its first guest.
 */
export function checkChoices(guests: readonly GuestState[], withAll: boolean, time: TimeOptions = {}): { now: CheckChoice } | { pick: CheckPickItem[] } {
  const windowIsGuest = guests.some((guest) => guest.id === WINDOW_GUEST_ID);
  if (windowIsGuest && guests.length === 1) return { now: { kind: 'guests', ids: [WINDOW_GUEST_ID] } };
  const items: CheckPickItem[] = guests.map((guest) => ({
    label: guest.label,
    description: guest.source === 'window' ? l10n.t('this window') : guest.source === 'sosreport' ? l10n.t('sosreport') : guest.source === 'added' ? l10n.t('SSH host (added)') : l10n.t('SSH host'),
    detail: guest.report ? `${statusWord(guest.report.status)}, ${checkedPhrase(guest.report.collectedAt, time)}` : undefined,
    choice: { kind: 'guests', ids: [guest.id] },
  }));
  if (withAll && guests.length > 1) items.push({ label: l10n.t('All guests'), description: `${guests.length}`, choice: { kind: 'guests', ids: guests.map((guest) => guest.id) } });
  if (!windowIsGuest) items.push({ label: l10n.t('$(add) Add SSH Host…'), description: l10n.t('a Linux guest you reach over SSH'), choice: { kind: 'add-ssh-host' } });
  return { pick: items };
}

