/**
 * The host view's findings in words, per language: the same figures, English or Spanish number format.
 * JSON keeps English (the contract); text and Markdown take the reader's language.
 */
import type { Lang, PerLang } from '../../shared/i18n';
import { formatBytes, percent } from '../units';

type B = number | null | undefined;
export interface FindingWords { title: string; detail: string }

export interface HostMessages {
  ballooned(m: { size: number; configured: number; has: number }): FindingWords;
  usableLow(m: { usable: number; actual: number; swapOut: B; ageSeconds: B }): FindingWords;
  noDeflate(m: { size: B; model: string }): FindingWords;
  statsDisabled(m: { periodZero: boolean; ballooned: B }): FindingWords;
  overcommitted(m: { level: 'targets' | 'configured-swap' | 'configured-ram'; swapKnown: boolean; configured: B; current: B; ram: B; swap: B }): FindingWords;
  hostSwapping(m: { used: number; total: number }): FindingWords;
}

function english(): HostMessages {
  const b = (value: B) => formatBytes(value, 'en');
  return {
    ballooned: ({ size, configured, has }) => ({ title: 'The balloon holds much of this domain\'s memory', detail: `balloon ${b(size)} (${percent(size, configured)} of the ${b(configured)} configured); the guest has ${b(has)}` }),
    usableLow: ({ usable, actual, swapOut, ageSeconds }) => ({
      title: 'The guest is nearly out of usable memory',
      detail: `usable ${b(usable)} of the ${b(actual)} it has (${percent(usable, actual)})${swapOut ? `; it has swapped out ${b(swapOut)} since boot` : ''}${ageSeconds !== null && ageSeconds !== undefined ? `; statistics ${ageSeconds} s old` : ''}`,
    }),
    noDeflate: ({ size, model }) => ({ title: 'Ballooned, and the balloon will not deflate when the guest runs out', detail: `balloon ${b(size)}; <memballoon model='${model}'> has no autodeflate='on'` }),
    statsDisabled: ({ periodZero, ballooned }) => ({
      title: 'The guest sends no memory statistics',
      detail: `${periodZero ? "<stats period='0'/>" : 'no <stats period>'} on the balloon device: unused, available and usable memory are unknown or stale${ballooned ? `, while the balloon holds ${b(ballooned)}` : ''}`,
    }),
    overcommitted: ({ level, swapKnown, configured, current, ram, swap }) => ({
      title: level === 'targets' ? `The balloon targets of the running domains exceed ${swapKnown ? 'the host\'s RAM and swap' : 'the host\'s RAM (its swap is unknown)'}`
        : level === 'configured-swap' ? 'The running domains are configured beyond the host\'s RAM and swap' : 'The running domains are configured beyond the host\'s RAM',
      detail: `running domains: ${b(configured)} configured, ${b(current)} current targets; host: ${b(ram)} RAM, ${swapKnown ? `${b(swap)} swap` : 'swap unknown'}`,
    }),
    hostSwapping: ({ used, total }) => ({ title: 'The KVM host is using swap', detail: `${b(used)} of ${b(total)} swap in use on the host` }),
  };
}

function spanish(): HostMessages {
  const b = (value: B) => formatBytes(value, 'es');
  const pct = (part: number, whole: number) => percent(part, whole, 'es');
  return {
    ballooned: ({ size, configured, has }) => ({ title: 'El balloon retiene buena parte de la memoria de este dominio', detail: `balloon de ${b(size)} (${pct(size, configured)} de los ${b(configured)} configurados); el guest tiene ${b(has)}` }),
    usableLow: ({ usable, actual, swapOut, ageSeconds }) => ({
      title: 'Al guest casi no le queda memoria utilizable',
      detail: `usable ${b(usable)} de los ${b(actual)} que tiene (${pct(usable, actual)})${swapOut ? `; ha sacado ${b(swapOut)} a swap desde que arrancó` : ''}${ageSeconds !== null && ageSeconds !== undefined ? `; estadísticas de hace ${ageSeconds} s` : ''}`,
    }),
    noDeflate: ({ size, model }) => ({ title: 'Balloon inflado, y no se desinflará cuando el guest se quede sin memoria', detail: `balloon de ${b(size)}; <memballoon model='${model}'> no tiene autodeflate='on'` }),
    statsDisabled: ({ periodZero, ballooned }) => ({
      title: 'El guest no envía estadísticas de memoria',
      detail: `${periodZero ? "<stats period='0'/>" : 'sin <stats period>'} en el dispositivo balloon: la memoria unused, available y usable es desconocida o antigua${ballooned ? `, mientras el balloon retiene ${b(ballooned)}` : ''}`,
    }),
    overcommitted: ({ level, swapKnown, configured, current, ram, swap }) => ({
      title: level === 'targets' ? `Los objetivos de balloon de los dominios en ejecución superan ${swapKnown ? 'la RAM y el swap del host' : 'la RAM del host (su swap es desconocido)'}`
        : level === 'configured-swap' ? 'Los dominios en ejecución tienen configurada más memoria que la RAM y el swap del host' : 'Los dominios en ejecución tienen configurada más memoria que la RAM del host',
      detail: `dominios en ejecución: ${b(configured)} configurados, ${b(current)} de objetivos actuales; host: ${b(ram)} de RAM, ${swapKnown ? `${b(swap)} de swap` : 'swap desconocido'}`,
    }),
    hostSwapping: ({ used, total }) => ({ title: 'El host KVM está usando swap', detail: `${b(used)} de ${b(total)} de swap en uso en el host` }),
  };
}

const MESSAGES: PerLang<HostMessages> = { en: english(), es: spanish() };
export const hostMessages = (lang: Lang): HostMessages => MESSAGES[lang];
