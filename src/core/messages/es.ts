/**
 * Los hallazgos en español: mismas cifras que en inglés (en.ts), escritas con el formato español ("20,0 GiB",
 * "63 %"). Los términos del kernel y de VMware (balloon, MemTotal, deflate-on-oom, memlimit, esxtop) se quedan como
 * los usan los administradores; las rutas, fuentes y evidencias de la VM se citan tal cual se leyeron.
 */
import { configuredSourceText, hypervisorPhrase } from '../../shared/presentation';
import { formatDecimal } from '../../shared/i18n';
import { formatBytes, percent } from '../units';
import type { DeflateOnOom } from '../kernels';
import type { RuleMessages, TrustHint, UnaccountedWhy, XenRetry } from './types';

const bytes = (value: number | null | undefined) => formatBytes(value, 'es');
const pct = (part: number, whole: number) => percent(part, whole, 'es');
const ofConfigured = (value: number, configured: number | null) => (configured ? ` (${pct(value, configured)} de los ${bytes(configured)} configurados)` : '');
const fixed1 = (value: number | null) => (value === null ? 'desconocido' : formatDecimal(value, 1, 'es'));
const fixed2 = (value: number) => formatDecimal(value, 2, 'es');
const hv = (kind: string) => hypervisorPhrase(kind, 'es');

/** A kernel range of the kernel table ("before 5.11", "5.3 to before 5.7", "6.0+") in Spanish. */
export function rangeEs(range: string | undefined): string | undefined {
  if (range === undefined) return range;
  const fixed: Record<string, string> = { 'all versions': 'todas las versiones', 'unknown kernel': 'kernel desconocido' };
  return fixed[range] ?? range.replace(/^(.+) to before (.+)$/, 'desde $1 hasta antes de $2').replace(/^before /, 'antes de ').replace(/^(\d[\d.]*)\+$/, '$1 o posterior');
}

/** The facts' notes on what could not be measured (facts.ts), in Spanish; one without a translation stays as it is. */
export function noteEs(note: string): string {
  const pages = /^(.+) counts kernel pages, whose size is unknown on this guest: left out$/.exec(note);
  if (pages) return `${pages[1]} cuenta páginas del kernel, cuyo tamaño se desconoce en esta VM: no se usa`;
  const vmstat = /^\/proc\/vmstat balloon counters stay 0 for VMware on this kernel \((.*)\): not a reading$/.exec(note);
  if (vmstat) return `los contadores del balloon de /proc/vmstat se quedan en 0 en VMware con este kernel (${rangeEs(vmstat[1])}): no son una lectura`;
  if (note === 'This kernel has no hv-balloon debugfs file (Linux 6.0, d180e0a1be6c) and no Balloon: line (6.15): the guest cannot read the Hyper-V balloon size') {
    return 'Este kernel no tiene el fichero hv-balloon de debugfs (Linux 6.0, d180e0a1be6c) ni línea Balloon: (6.15): la VM no puede leer el tamaño del balloon de Hyper-V';
  }
  return note;
}

function xenRetryNote(retry: XenRetry): string {
  switch (retry) {
    case 4: return 'En este kernel el driver se rinde tras 4 reintentos (max_retry_count, a1078e821b60) y solo vuelve a intentarlo cuando cambia el objetivo o al cabo de una hora: no se pondrá al día por sí solo.';
    case 'unlimited': return 'En este kernel el driver reintenta indefinidamente (max_retry_count 0): tomará la memoria en cuanto el host la tenga.';
    default: return 'Que el driver siga reintentando depende de max_retry_count (/sys/devices/system/xen_memory/xen_memory0/max_retry_count; 0 = indefinidamente, 4 desde a1078e821b60).';
  }
}

/** Qué hace deflate-on-oom en este kernel (la tabla de kernels.ts), para un balloon que no lo tiene activo. */
export function deflateOnOomWording(value: DeflateOnOom | null): string {
  switch (value) {
    case 'oom-notifier': return 'Con deflate-on-oom el driver devuelve 256 páginas (1 MiB) por cada notificación de OOM, y solo cuando el kernel ya se ha quedado sin memoria.';
    case 'shrinker': return 'En este kernel (de 4.20 a 5.6) deflate-on-oom funciona mediante un shrinker: el balloon se desinfla con la presión de memoria normal, antes de cualquier OOM (71994620bb25).';
    case 'not-supported': return 'Este kernel es anterior a deflate-on-oom (Linux 4.3): el balloon nunca se desinfla por sí solo.';
    default: return 'Lo que hace deflate-on-oom depende de la versión del kernel, que se desconoce: 1 MiB por notificación de OOM en 4.3-4.19 y 5.7+, un shrinker en 4.20-5.6.';
  }
}

function oomDeflateNote(value: DeflateOnOom | 'off'): string {
  switch (value) {
    case 'off': return 'El balloon no se encoge por sí solo cuando la VM se queda sin memoria.';
    case 'shrinker': return 'deflate-on-oom está activo, y en este kernel (de 4.20 a 5.6) un shrinker desinfla el balloon bajo presión de memoria (71994620bb25); aun así se mataron procesos: el balloon no pudo devolver memoria a tiempo, o ya estaba vacío.';
    case 'oom-notifier': return 'deflate-on-oom está activo, pero solo libera 1 MiB por cada evento de OOM.';
    default: return 'deflate-on-oom está activo, pero en 4.3-4.19 y 5.7+ solo libera 1 MiB por evento de OOM (un shrinker en 4.20-5.6; se desconoce la versión de este kernel).';
  }
}

function trustNote(trust: TrustHint): string {
  switch (trust.kind) {
    case 'witness': return ` Confíe en ${trust.source}: los ${bytes(trust.residueBytes)} de memoria "usada" que no son de ningún proceso coinciden con esa cifra, y ahí es donde están estas páginas del balloon.`;
    case 'driver-over-toolbox': return ` Confíe en ${trust.source} para saber lo que ha cedido esta VM: es la cuenta del propio driver, leída ahora. vmware-toolbox-cmd transmite la cifra del host a través del guest SDK, que puede ir con retraso; si la diferencia persiste, puede que el driver se haya reiniciado o que su fichero se haya leído mal: pida al administrador de vSphere la cifra del host (esxtop MCTLSZ).`;
    default: return ` ${trust.source} es la fuente más directa; la lectura mayor fija la gravedad hasta que las dos coincidan.`;
  }
}

function unaccountedWhy(why: UnaccountedWhy): string {
  switch (why.kind) {
    case 'kernel-keeps': return ` En este kernel el driver ${why.driver} deja las páginas del balloon dentro de MemTotal (${rangeEs(why.range)}: ${why.source}), así que aparecen como memoria usada que no es de ningún proceso.`;
    case 'unknown-kernel': return ' No se sabe si este kernel saca de MemTotal las páginas del balloon, así que podrían estar aquí.';
    default: return '';
  }
}

const LINE_VERDICT = {
  vmware: 'En VMware la línea Balloon: solo cuenta las páginas de 4 KiB del balloon, así que solo puede dar menos que el driver; una lectura mayor significa que una de las dos está desfasada o mal leída. Confíe en la cifra del driver.',
  virtio: 'El contador Balloon: refleja las páginas que tiene el driver ahora; balloon_inflate − balloon_deflate cuenta desde el arranque y se desvía si el driver se recargó o si los contadores no son solo del balloon. Confíe en la línea Balloon:.',
  other: 'Con este driver las dos cuentan las mismas páginas; una diferencia significa que una cifra está desfasada (se leen en momentos ligeramente distintos mientras el balloon se mueve) o que hay un segundo driver de balloon activo. Confíe en la cifra del propio driver, y vuelva a comprobarlo.',
} as const;

export const es: RuleMessages = {
  notVirtualized: ({ evidence }) => ({
    title: 'No es una máquina virtual: aquí ningún balloon puede quitar memoria',
    detail: `No se encontró ningún hipervisor (${evidence.join('; ') || 'ninguna señal'}).`,
  }),
  checkedFromContainer: ({ hv: kind, evidence }) => ({
    title: `Comprobado desde dentro de un contenedor sobre ${hv(kind)}`,
    detail: `${evidence.join('; ')}. Las cifras del balloon y de la memoria son las de toda la VM, que el contenedor comparte.`,
  }),
  balloonInflated: ({ hv: kind, driver, balloon, configured, source, shrinksMemTotal }) => ({
    title: `El balloon de ${hv(kind)} retiene ${bytes(balloon)}${ofConfigured(balloon, configured)}`,
    detail: `El driver ${driver ?? 'del balloon'} le ha quitado ${bytes(balloon)} a esta VM (fuente: ${source}).` +
      (shrinksMemTotal === false ? ' Estas páginas cuentan como memoria "usada" que no es de ningún proceso.' : shrinksMemTotal ? ' Estas páginas ya no forman parte de MemTotal.' : ''),
  }),
  xenTargetNotReached: ({ target, current, retry }) => ({
    title: 'Xen no ha podido dar a este dominio toda la memoria que le corresponde',
    detail: `target_kb indica ${bytes(target)}, pero el dominio tiene ${bytes(current)}: el host no pudo asignar ${bytes(target - current)}. ${xenRetryNote(retry)}`,
  }),
  xenInflating: ({ current, target }) => ({
    title: 'El balloon de Xen se está inflando ahora',
    detail: `El dominio tiene ${bytes(current)} y se está reduciendo a ${bytes(target)}.`,
  }),
  balloonInflating: ({ balloon, target, source }) => ({
    title: `El balloon se está inflando: el host quiere ${bytes(target - balloon)} más`,
    detail: `Balloon ahora ${bytes(balloon)}, objetivo ${bytes(target)} (fuente: ${source}).`,
  }),
  balloonDeflating: ({ balloon, target }) => ({
    title: `El balloon se está desinflando: el host devuelve ${bytes(balloon - target)}`,
    detail: `Balloon ahora ${bytes(balloon)}, objetivo ${bytes(target)}.`,
  }),
  balloonGrew: ({ delta, seconds, samples, first, last }) => ({
    title: `El balloon creció ${bytes(delta)} en ${Math.round(seconds)} s`,
    detail: `A lo largo de ${samples} muestras el balloon pasó de ${bytes(first)} a ${bytes(last)}.`,
  }),
  balloonShrank: ({ delta, seconds, samples, first, last }) => ({
    title: `El balloon se redujo ${bytes(delta)} en ${Math.round(seconds)} s`,
    detail: `A lo largo de ${samples} muestras el balloon pasó de ${bytes(first)} a ${bytes(last)}.`,
  }),
  limitBelowConfigured: ({ limit, configured, gap, balloon }) => ({
    title: `El límite de memoria de ${bytes(limit)} está por debajo de los ${bytes(configured)} configurados`,
    detail: `El host nunca respalda más de ${bytes(limit)} de esta VM, así que unos ${bytes(gap)} se recuperan siempre (primero con el balloon, ` +
      `luego con compresión y swap del host), aunque al host le sobre memoria. La VM no puede ver el límite; ` +
      `lo muestra vmware-toolbox-cmd stat memlimit. Balloon ahora: ${bytes(balloon)}.`,
  }),
  limitBeyondBalloonCap: ({ gap, cap }) => ({
    title: `El límite quita más de lo que cabe en el balloon: ${bytes(gap - cap)} tienen que ir a swap del host o comprimirse`,
    detail: `La diferencia que impone el límite es de ${bytes(gap)}, pero por defecto el balloon se detiene en el 65 % de la memoria configurada (${bytes(cap)}, Mem.CtlMaxPercent). ` +
      'El resto lo comprime o lo manda a swap el hipervisor, algo mucho más lento que la paginación dentro de la VM.',
  }),
  hostContention: ({ balloon }) => ({
    title: 'El balloon está activo sin límite de memoria en la VM: al host o al resource pool le falta memoria',
    detail: `No hay ningún límite por VM por debajo de la memoria configurada y, aun así, el balloon retiene ${bytes(balloon)}. El host ESXi está en el estado de memoria "soft" o inferior, o un límite del resource pool acota el pool de esta VM. Pida al administrador de vSphere el estado de memoria del host y los límites del pool.`,
  }),
  balloonNearCap: ({ balloon, max, reserved }) => ({
    title: `El balloon está al ${pct(balloon, max)} de su tamaño máximo`,
    detail: `Balloon ${bytes(balloon)}; como mucho puede retener ${bytes(max)} (el 65 % de la configurada${reserved ? `, menos la reserva de ${bytes(reserved)}` : ''}). Si la presión sigue, el host pasa a comprimir y a usar swap.`,
  }),
  hostSwapping: ({ swapped }) => ({
    title: `El hipervisor ha mandado a swap ${bytes(swapped)} de esta VM`,
    detail: 'vmware-toolbox-cmd stat swap indica la memoria que el host ha llevado a su fichero .vswp. El host elige esas páginas a ciegas, así que cada acceso a ellas deja parada a la VM.',
  }),
  balloonDriverMissing: ({ hv: kind, unboundDevice, driverAvailable }) => {
    const what = unboundDevice !== null ? `El dispositivo virtio balloon ${unboundDevice} no tiene ningún driver asociado${driverAvailable ? '' : ' (virtio_balloon no está disponible)'}.`
      : `No hay cargado ningún driver de balloon de ${hv(kind)} (se revisaron /proc/modules, /sys/module${kind === 'vmware' ? ', debugfs y el hilo [vmmemctl]' : ''}).`;
    return {
      title: 'Sin driver de balloon: cuando haya contención, el host mandará esta VM a swap',
      detail: `${what} El host no puede pedirle memoria a la VM, así que cuando le falte, comprimirá o mandará a swap la memoria de esta VM por su cuenta.`,
    };
  },
  vmwareToolsMissing: () => ({
    title: 'No se encontraron las VMware Tools (open-vm-tools): no se puede leer el límite de memoria',
    detail: 'vmware-toolbox-cmd no está instalado, así que desde dentro no se conocen el límite de memoria, la reserva ni el swap del host de la VM. Instale open-vm-tools o pregunte al administrador de vSphere.',
  }),
  statsNeedRoot: ({ probes, reason, sizeUnknown }) => ({
    title: sizeUnknown ? 'Para leer el tamaño del balloon hace falta root' : 'Las estadísticas propias del driver del balloon requieren root',
    detail: `${probes.join(', ')}: ${reason ?? 'permiso denegado'}. Ejecute balloon-check como root o con --sudo (sudo -n, nunca pide contraseña)${sizeUnknown ? '; sin ello no se conoce el tamaño del balloon' : ''}.`,
  }),
  balloonSourcesDisagree: ({ first, second, larger, oldAwk, trust }) => ({
    title: `Dos fuentes discrepan sobre el tamaño del balloon: hasta ${bytes(larger)}`,
    detail: `${first.source}: ${bytes(first.bytes)}; ${second.source}: ${bytes(second.bytes)}. Las cifras salen de la primera; la gravedad sigue a la lectura mayor, porque cualquiera de las dos puede ser la buena.` +
      `${oldAwk ? ' En este kernel debugfs escribe "current : N", así que el awk clásico \'{print $2}\' lee ":" e imprime 0.' : ''}${trustNote(trust)}`,
  }),
  balloonLineDisagrees: ({ line, driver, driverKind }) => ({
    title: 'El contador Balloon: del kernel no coincide con el driver del balloon',
    detail: `${line.source}: ${bytes(line.bytes)}; ${driver.source}: ${bytes(driver.bytes)}. ${LINE_VERDICT[driverKind]}`,
  }),
  unaccountedIsBalloon: ({ unaccounted, balloon }) => ({
    title: `${bytes(unaccounted)} de memoria "usada" no son de ningún proceso: es el balloon`,
    detail: `free y top cuentan como usados los ${bytes(balloon)} del balloon, aunque ningún proceso, caché ni slab los tiene (solución 43729 de Red Hat). No es una fuga.`,
  }),
  unaccountedProbablyBalloon: ({ unaccounted, configured, hv: kind, why, notes }) => ({
    title: `${bytes(unaccounted)} de memoria "usada" no son de ningún proceso: probablemente es el balloon`,
    detail: `Ningún proceso, caché ni estructura del kernel explica ${bytes(unaccounted)}${ofConfigured(unaccounted, configured)}. En ${hv(kind)} esto suele ser el balloon.` +
      `${unaccountedWhy(why)}${notes.length ? ` ${notes.map(noteEs).join('. ')}.` : ' No se pudo leer su tamaño para confirmarlo (vea las sondas).'}`,
  }),
  unaccountedMaybeBalloon: ({ unaccounted, balloon, kernel }) => ({
    title: `${bytes(unaccounted)} de memoria "usada" sin explicar; el balloon puede ser parte`,
    detail: `Ningún proceso, caché ni estructura del kernel explica ${bytes(unaccounted)}. No se sabe si este kernel saca de MemTotal los ${bytes(balloon)} del balloon (kernel ${kernel ?? 'de versión desconocida'}), así que una parte puede ser el balloon.`,
  }),
  unaccountedNotBalloon: ({ unaccounted, balloonInUsed }) => ({
    title: `${bytes(unaccounted)} de memoria "usada" sin explicar, y no es el balloon`,
    detail: `Ningún proceso, caché ni estructura del kernel explica ${bytes(unaccounted)}, mientras que el balloon retiene ${bytes(balloonInUsed)} de la memoria usada. Busque reservas de drivers o de la GPU, o una fuga del kernel.`,
  }),
  noDeflateOnOom: ({ balloon, deflateOnOom }) => ({
    title: 'El virtio balloon no devolverá memoria cuando la VM se quede sin ella',
    detail: `No se negoció deflate-on-oom (bit de característica 2) y el balloon retiene ${bytes(balloon)}. Bajo presión de memoria la VM mata procesos mientras el host se queda con esa memoria. Actívelo en el host: libvirt <memballoon autodeflate='on'>, QEMU -device virtio-balloon,deflate-on-oom=on. ${deflateOnOomWording(deflateOnOom)}`,
  }),
  guestMemoryPressure: ({ memory, psi, balloon }) => {
    const parts = [
      memory ? `${memory.estimated ? 'Disponible estimada (MemFree + Buffers + Cached; este kernel no tiene MemAvailable)' : 'MemAvailable'} ${bytes(memory.available)} de ${bytes(memory.total)} (${pct(memory.available, memory.total)})` : null,
      psi ? `PSI de memoria some avg60 ${fixed2(psi.someAvg60)} %, full avg10 ${fixed2(psi.fullAvg10)} %` : null,
    ].filter(Boolean);
    return { title: 'A la VM le falta memoria', detail: `${parts.join('; ')}.${balloon ? ` El balloon retiene ${bytes(balloon)} de ella.` : ''}` };
  },
  guestSwapping: ({ swapIn, swapOut, majorFaults, seconds, balloon }) => ({
    title: 'El balloon está empujando a la VM a usar su propia swap',
    detail: `Swap-in ${fixed1(swapIn)} páginas/s, swap-out ${fixed1(swapOut)} páginas/s, fallos de página mayores ${fixed1(majorFaults)}/s durante ${Math.round(seconds)} s mientras el balloon retiene ${bytes(balloon)}.`,
  }),
  guestOomKills: ({ kills, duringWatch, balloon, deflateOnOom }) => ({
    title: `El kernel mató ${kills} proceso${kills === 1 ? '' : 's'} por falta de memoria mientras el balloon retiene memoria`,
    detail: `/proc/vmstat oom_kill: ${kills}${duringWatch ? ' durante la observación' : ' desde el arranque'}; balloon ${bytes(balloon)}. ${oomDeflateNote(deflateOnOom)}`,
  }),
  noGuestSwap: () => ({
    title: 'La VM no tiene swap, así que el balloon solo puede quitarle memoria libre y caché',
    detail: 'SwapTotal es 0. Cuando el balloon se infla, la VM no puede paginar la memoria ociosa y pasa directamente al OOM killer. VMware pide "espacio de swap suficiente" en las VMs con ballooning.',
  }),
  memoryOffline: ({ offline, configured, source }) => ({
    title: `${bytes(offline)} de memoria que dio el host están offline`,
    detail: `${bytes(offline)}${ofConfigured(offline, configured)} están en bloques de memoria en estado "offline": el hipervisor los añadió en caliente pero nunca se pusieron online, así que el kernel no los usa (${source === null ? source : configuredSourceText(source, 'es')}). ` +
      'Ponga los bloques online (echo online > /sys/devices/system/memory/memoryN/state) y haga que los próximos añadidos en caliente se pongan online solos (una regla de udev, o memhp_default_state=online).',
  }),
  balloonPersistent: ({ samples, min, seconds, configured }) => ({
    title: `El balloon siguió inflado en las ${samples} muestras (al menos ${bytes(min)})`,
    detail: `Durante ${Math.round(seconds)} s el balloon nunca bajó de ${bytes(min)}${ofConfigured(min, configured)}: el host sigue recuperando memoria de esta VM, no solo en un pico. ` +
      'Lo mantiene así un límite, un host o pool sobrecomprometido, o un objetivo del balloon que el host nunca baja.',
  }),
  reservationInconsistent: ({ balloon, reserved, configured, max }) => ({
    title: 'El balloon retiene más de lo que la reserva deja recuperar',
    detail: `Balloon ${bytes(balloon)}, pero ${bytes(reserved)} de los ${bytes(configured)} configurados están reservados: como mucho se pueden recuperar ${bytes(configured - reserved)}, y el balloon se detiene en ${bytes(max)} (el mínimo entre el 65 % de la configurada y configurada − reserva). ` +
      'Estas cifras no pueden ser todas actuales: puede que la reserva acabe de cambiar, o que una lectura esté desfasada. Vuelva a comprobarlo en un minuto y compárelo con la configuración de la VM en vSphere.',
  }),
  memTotalShrunk: ({ shortfall, usable, total, balloon, explained }) => ({
    title: `MemTotal está ${bytes(shortfall)} por debajo de los ${bytes(usable)} de memoria online`,
    detail: explained
      ? `Los ${bytes(balloon)} del virtio balloon salieron de MemTotal (deflate-on-oom está desactivado), así que free y top muestran una máquina de ${bytes(total)}. Esa memoria es del host hasta que baje el balloon.`
      : `MemTotal ${bytes(total)} frente a ${bytes(usable)} en bloques de memoria online. Sin deflate-on-oom el virtio balloon saca sus páginas de MemTotal, así que la mayor parte de la diferencia es probablemente el balloon${balloon === null ? ', cuyo tamaño este kernel no muestra (Balloon: requiere Linux 6.15; balloon_inflate 3.18)' : ` (marca ${bytes(balloon)})`}. Pregunte al host: virsh dommemstat muestra "actual".`,
  }),
};
