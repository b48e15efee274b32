import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import MarkdownIt from 'markdown-it';
import { HOST_FINDING_ARTICLES, HOST_FINDING_IDS } from '../../src/core/libvirt/model';
import { FINDING_ARTICLES, FINDING_IDS, HYPERVISOR_ARTICLE } from '../../src/core/rules';
import { HYPERVISORS, loadKnowledgeBase, resolveInternalLink, type KnowledgeDoc } from '../../src/knowledge';
import { ROOT } from '../helpers/system';

const kb = loadKnowledgeBase(join(ROOT, 'knowledge'));
const articles = [...kb.articles.values()];
const runbooks = [...kb.runbooks.values()];
const all: KnowledgeDoc[] = [...articles, ...runbooks];
/** The guest check's findings and the KVM host view's (src/core/libvirt/model.ts): one namespace of ids and articles. */
const ALL_FINDING_ARTICLES: Record<string, readonly string[]> = { ...FINDING_ARTICLES, ...HOST_FINDING_ARTICLES };
const ALL_FINDING_IDS = Object.keys(ALL_FINDING_ARTICLES);
const findingIds = new Set<string>(ALL_FINDING_IDS);
/** Finding id → every article its rule cites: its own, FINDING_ARTICLES' (or HOST_FINDING_ARTICLES') list. */
const citedBy = (finding: string): string[] => [finding, ...ALL_FINDING_ARTICLES[finding]];

test('every knowledge document loads without a problem', () => {
  assert.deepEqual(kb.problems, []);
  assert.ok(articles.length >= 30, `only ${articles.length} articles`);
  assert.ok(runbooks.length >= 8, `only ${runbooks.length} runbooks`);
});

test('front matter is complete: id = file name, title, summary, appliesTo, sources', () => {
  for (const doc of all) {
    assert.ok(doc.path?.endsWith(`${doc.id}.md`), `${doc.id}: file ${doc.path}`);
    assert.ok(doc.title.length >= 5, `${doc.id}: title`);
    assert.ok(doc.summary.length >= 40, `${doc.id}: summary too short`);
    assert.ok(doc.appliesTo.length > 0 && doc.appliesTo.every((hv) => (HYPERVISORS as readonly string[]).includes(hv)), `${doc.id}: appliesTo`);
    for (const source of doc.sources) {
      assert.ok(source.title, `${doc.id}: source without title`);
      assert.ok(source.url || source.citation, `${doc.id}: source "${source.title}" has neither url nor citation`);
      if (source.url) assert.match(source.url, /^https?:\/\/\S+$/, `${doc.id}: source url`);
    }
    assert.ok(doc.body.trim().length > 300, `${doc.id}: body is nearly empty`);
  }
  for (const doc of articles) assert.ok(doc.sources.length > 0, `${doc.id}: article without sources`);
});

test('every id the rules can emit has an article: finding ids, the articles they cite, hypervisor articles', () => {
  const needed = new Set<string>([...ALL_FINDING_IDS, ...Object.values(ALL_FINDING_ARTICLES).flat(), ...Object.values(HYPERVISOR_ARTICLE)]);
  const missing = [...needed].filter((id) => !kb.articles.has(id));
  assert.deepEqual(missing, []);
  for (const id of ['what-is-ballooning', 'vmware-balloon-driver', 'reading-vmware-balloon-size', 'memory-limits-and-reservations', 'host-memory-states',
    'balloon-maximum-size', 'esxtop-memory-counters', 'kvm-virtio-balloon', 'virtio-mem', 'hyperv-dynamic-memory', 'xen-balloon', 'guest-swap-and-oom', 'unaccounted-memory']) {
    assert.ok(kb.articles.has(id), `concept article ${id}`);
  }
});

test('findings front matter and the rules agree in both directions', () => {
  // Article → rule: every finding an article lists is real and its rule cites that article.
  for (const doc of articles) {
    for (const finding of doc.findings) {
      assert.ok(findingIds.has(finding), `${doc.id}: "${finding}" is not a finding id`);
      assert.ok(citedBy(finding).includes(doc.id), `${doc.id} lists ${finding}, but that finding's rule does not cite ${doc.id}`);
    }
  }
  // Rule → article: every article a finding cites lists the finding.
  for (const finding of ALL_FINDING_IDS) {
    for (const id of citedBy(finding)) {
      assert.ok(kb.articles.get(id)?.findings.includes(finding), `${id} is cited by ${finding} but does not list it in findings`);
    }
  }
  // The index answers the same question.
  for (const finding of ALL_FINDING_IDS) {
    assert.deepEqual((kb.articlesByFinding.get(finding) ?? []).map((doc) => doc.id).sort(), [...citedBy(finding)].sort());
  }
});

test('runbooks say runbook: true and list only real finding ids', () => {
  for (const doc of runbooks) {
    for (const finding of doc.findings) assert.ok(findingIds.has(finding), `${doc.id}: "${finding}" is not a finding id`);
  }
  for (const id of ['is-this-guest-ballooned', 'vmware-balloon-and-limit', 'vmware-debugfs', 'kvm-balloon-checks', 'hyperv-balloon-checks', 'xen-balloon-checks', 'evidence-for-the-admin', 'fix-and-verify', 'kvm-host-balloons']) {
    assert.ok(kb.runbooks.has(id), `runbook ${id}`);
  }
});

test('every link in every document is http(s) or resolves to an existing document', () => {
  const md = new MarkdownIt({ html: false });
  md.validateLink = () => true; // see every link as written, including ones the renderer would drop
  let internal = 0;
  for (const doc of all) {
    const walk = (tokens: ReturnType<typeof md.parse>) => {
      for (const token of tokens) {
        if (token.children) walk(token.children);
        if (token.type !== 'link_open') continue;
        const href = String(token.attrGet('href'));
        if (/^https?:\/\//.test(href)) continue;
        const link = resolveInternalLink(href, doc.kind);
        assert.ok(link, `${doc.id}: link "${href}" is neither http(s) nor internal`);
        assert.ok((link.kind === 'runbook' ? kb.runbooks : kb.articles).has(link.id), `${doc.id}: link "${href}" points to a missing ${link.kind}`);
        internal++;
      }
    };
    walk(md.parse(doc.body, {}));
  }
  assert.ok(internal > 100, `only ${internal} internal links were checked`);
});

test('every finding article links to at least one runbook or concept article', () => {
  for (const finding of [...FINDING_IDS, ...HOST_FINDING_IDS]) {
    const body = kb.articles.get(finding)?.body ?? '';
    assert.match(body, /\]\((?:runbooks\/|\.\.\/)?[a-z0-9-]+\.md\)/, `${finding}: no link to further reading`);
  }
});

test('the seed case and the seed one-liner are explained', () => {
  const limits = kb.articles.get('memory-limits-and-reservations')!.body;
  for (const figure of ['32 GB', '12 GB', '20 GB', '20.8 GB', '65 %']) assert.ok(limits.includes(figure), `limits article lacks ${figure}`);
  const reading = kb.articles.get('reading-vmware-balloon-size')!.body;
  assert.ok(reading.includes("awk '{print $2*4/1024/1024 \" GB\";}'"), 'the seed one-liner is quoted');
  assert.match(reading, /prints `0 GB`/);
});

/**
 * Issue 8 §2: a review of the knowledge base against primary sources (kernel commits, util-linux,
 * virsh, VMware docs) found wrong or uncited claims. Each row pins a corrected claim to the document
 * that must make it — with the commit or release that proves it — or bans the wrong wording.
 */
type ReviewRow = { doc: string; has?: (string | RegExp)[]; lacks?: RegExp[] };
const REVIEWED: ReviewRow[] = [
  // hv_balloon lowers MemTotal only since 5.11; its debugfs file is 6.0+.
  { doc: 'hyperv-dynamic-memory', has: ['d1df458cbfdb', '5.11', 'd180e0a1be6c', '6.0', 'RHEL 7', 'Ubuntu 20.04'], lacks: [/Ballooned pages leave MemTotal;/] },
  { doc: 'hyperv-balloon-checks', has: ['5.11', 'd1df458cbfdb'] },
  { doc: 'unaccounted-memory', has: ['hv_balloon', '5.11'], lacks: [/shrink\* MemTotal — virtio without deflate-on-oom, Hyper-V, Xen — do not cause/] },
  { doc: 'balloon-inflated', has: ['5.11'] },
  { doc: 'guest-memory-pressure', has: ['5.11'] },
  { doc: 'is-this-guest-ballooned', has: ['5.11', '5.3'] },
  // vmw_balloon compaction and shrinker: Linux 5.3. Its vmstat counters include the 2 MiB pages (in
  // 4 KiB frames, vmballoon_enqueue_page_list()); Balloon: / nr_balloon_pages do not.
  { doc: 'vmware-balloon-driver', has: ['83a8afa72e9c', '5d1a86ecf328', '5.3', '2 MiB'], lacks: [/Since the 2018 rewrite the driver also has an optional shrinker/] },
  { doc: 'reading-vmware-balloon-size', has: ['83a8afa72e9c', '5.3', 'RHEL 8', '2 MiB'] },
  { doc: 'vmware-balloon-and-limit', has: ['5.3', '83a8afa72e9c'] },
  { doc: 'vmware-debugfs', has: ['RHEL 8'] },
  { doc: 'guest-swap-and-oom', has: ['5d1a86ecf328'] },
  { doc: 'guest-oom-kills', has: ['5d1a86ecf328', '71994620bb25'] },
  // virtio deflate-on-oom: 256 pages per OOM notification in 4.3–4.19 and from 5.7; a shrinker in 4.20–5.6.
  { doc: 'kvm-virtio-balloon', has: ['71994620bb25', 'da10329cb057', '4.20', '5.6', '5.7', 'Ubuntu 20.04', 'last_update', 'hugetlb_pgalloc', 'hugetlb_pgfail'] },
  { doc: 'no-deflate-on-oom', has: ['71994620bb25', '5.7'] },
  { doc: 'guest-swap-and-oom', has: ['71994620bb25'] },
  // Xen: max_retry_count 4 since the CVE-2019-17351 fix (a1078e821b60, 5.3); before it, retry forever.
  // Classic Xen kernels (2.6.18-xen) have /proc/xen/balloon.
  { doc: 'xen-balloon', has: ['a1078e821b60', '5.3', 'CVE-2019-17351', 'forever', '/proc/xen/balloon', 'Driver pages', 'RHEL 5'] },
  { doc: 'xen-target-not-reached', has: ['a1078e821b60', 'forever'], lacks: [/after its retries are used up \(4 by default\)/] },
  { doc: 'xen-balloon-checks', has: ['/proc/xen/balloon', 'max_retry_count'] },
  // Lockdown: world-readable debugfs files without ioctl/mmap stay readable; the check is at open.
  { doc: 'stats-need-root', has: ['debugfs_locked_down', '5496197f9b08'] },
  { doc: 'reading-vmware-balloon-size', has: ['debugfs_locked_down'] },
  { doc: 'vmware-debugfs', has: ['debugfs_locked_down'], lacks: [/"Operation not permitted" as root, the kernel is locked down/] },
  // Citations: host-swap causes are on "Using Swap Files"; "critical to performance" is the monitoring
  // guide; Waldspurger's free-memory states are not in node6 (§3.2); the seed's limit is 12 GB.
  ...['host-swapping', 'host-memory-states', 'balloon-maximum-size', 'balloon-near-cap', 'limit-beyond-balloon-cap', 'balloon-driver-missing', 'what-is-ballooning', 'vmware-balloon-driver']
    .map((doc) => ({ doc, has: ['GUID-B55F4F6B'] })),
  { doc: 'vmware-balloon-driver', has: [/critical to performance[\s\S]{0,300}vsphere\.monitoring/] },
  { doc: 'host-memory-states', lacks: [/"title":"[^"]*states[^"]*","url":"[^"]*node6\.html/] },
  { doc: 'balloon-maximum-size', has: ['12 GB'], lacks: [/notes' example, an 8 GB limit/] },
];
/** Wrong wordings no document may use. */
const BANNED_EVERYWHERE: RegExp[] = [
  /(about|≈) ?(Linux )?5\.1\b/, // vmw_balloon compaction is 5.3, not "about 5.1"
  /(?<!balloon\.)last-update/, // virsh dommemstat prints last_update (domstats: balloon.last-update)
  /lockdown[^.]*(forbid|block)s? (debugfs|it) (entirely|altogether)/, // read-only 0444 files stay readable
  /host (updates its figure|figure updates)[^.]*once per second/, // no source: Waldspurger says the *driver* polls
  /tens to a few hundred MB/, // no source for a "healthy" unaccounted gap
];

test('the review of issue 8 stays fixed: corrected claims carry their source, wrong ones are gone', () => {
  const byId = new Map(all.map((doc) => [doc.id, doc]));
  const text = (doc: KnowledgeDoc) => [doc.title, doc.summary, doc.body, JSON.stringify(doc.sources)].join('\n');
  for (const row of REVIEWED) {
    const doc = byId.get(row.doc);
    assert.ok(doc, `${row.doc} exists`);
    for (const needle of row.has ?? []) {
      assert.ok(typeof needle === 'string' ? text(doc).includes(needle) : needle.test(text(doc)), `${row.doc} should say ${needle}`);
    }
    for (const wrong of row.lacks ?? []) assert.doesNotMatch(text(doc), wrong, `${row.doc} still says ${wrong}`);
  }
  for (const doc of all) for (const wrong of BANNED_EVERYWHERE) assert.doesNotMatch(text(doc), wrong, `${doc.id}: ${wrong}`);
});
