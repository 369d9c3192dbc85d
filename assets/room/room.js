// The attendee's page: follows the presenter over a WebSocket, sends one thing, a vote.
// Every text goes through textContent (never HTML), so nothing the server relays can run.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let strings = {};      // key -> {zh, en}, from the server's "hello"
  let state = null;      // the last "state"
  let you = null;        // "exits" | "hangs" | null, this round
  let ws = null, retry = 0, connected = false, closed = false, full = false;
  let sent = 0, pending = null, timer = 0; // quick taps: only the last one is sent
  let announced = '';    // the reveal last read out (aria-live)
  let lang = 'both';

  function store(key, value) {
    try { if (value === undefined) return localStorage.getItem(key); localStorage.setItem(key, value); }
    catch (e) { return null; }
    return null;
  }
  // The attendee's id: made up here, kept, so a reconnect keeps the same vote.
  function attendeeId() {
    let id = store('daemonlab-room-id');
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      const b = new Uint8Array(12);
      crypto.getRandomValues(b);
      id = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      store('daemonlab-room-id', id);
    }
    return id;
  }
  function langs() { return lang === 'both' ? ['zh', 'en'] : [lang]; }
  function fill(text, args) {
    return String(text).replace(/\{([a-z_]+)\}/g, (m, k) => (args && k in args ? String(args[k]) : m));
  }
  // Puts {zh, en} (or a string key) into el, one line per chosen language.
  function put(el, text, args) {
    if (typeof text === 'string') text = strings[text] || { zh: text, en: text };
    el.replaceChildren();
    const seen = new Set();
    for (const l of langs()) {
      const s = fill(text && text[l] ? text[l] : '', args);
      if (!s || seen.has(s)) continue;
      seen.add(s);
      const span = document.createElement('span');
      span.className = 'line';
      span.lang = l === 'zh' ? 'zh-Hans' : 'en';
      span.textContent = s;
      el.appendChild(span);
    }
  }
  function word(key, l) { const t = strings[key]; return t ? t[l] : key; }

  // A lesson step's Markdown, as elements (never HTML): paragraphs, "- " lists, `code`,
  // **bold**, *italic*, [text](link) as its text. One block per chosen language.
  function inline(parent, text) {
    const re = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*|\[[^\]]+\]\([^)]*\))/g;
    let at = 0;
    for (const m of text.matchAll(re)) {
      if (m.index > at) parent.appendChild(document.createTextNode(text.slice(at, m.index)));
      const t = m[0];
      let el;
      if (t[0] === '`') { el = document.createElement('code'); el.textContent = t.slice(1, -1); }
      else if (t.startsWith('**')) { el = document.createElement('strong'); el.textContent = t.slice(2, -2); }
      else if (t[0] === '*') { el = document.createElement('em'); el.textContent = t.slice(1, -1); }
      else { el = document.createTextNode(t.slice(1, t.indexOf(']'))); }
      parent.appendChild(el);
      at = m.index + t.length;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }
  function markdown(el, text) {
    el.replaceChildren();
    const seen = new Set();
    for (const l of langs()) {
      const src = String(text && text[l] ? text[l] : '');
      if (!src || seen.has(src)) continue;
      seen.add(src);
      const block = document.createElement('div');
      block.className = 'md line';
      block.lang = l === 'zh' ? 'zh-Hans' : 'en';
      for (const para of src.split(/\n\s*\n/)) {
        const lines = para.split('\n').filter((x) => x.trim());
        if (!lines.length) continue;
        if (lines.every((x) => /^\s*[-*] /.test(x))) {
          const ul = document.createElement('ul');
          for (const x of lines) {
            const li = document.createElement('li');
            inline(li, x.replace(/^\s*[-*] /, ''));
            ul.appendChild(li);
          }
          block.appendChild(ul);
        } else {
          const p = document.createElement('p');
          inline(p, lines.join(' ').replace(/^#+\s*/, ''));
          block.appendChild(p);
        }
      }
      el.appendChild(block);
    }
  }
  // The class's answers after the reveal: a bar for each, with its count.
  function distribution(r) {
    const voters = r.said_exits + r.said_hangs;
    $('dist').hidden = !voters;
    if (!voters) return;
    for (const [k, n] of [['exits', r.said_exits], ['hangs', r.said_hangs]]) {
      put($('dist-' + k), 'dist-' + k, { n: n, voters: voters });
      const bar = $('bar-' + k);
      bar.max = voters;
      bar.value = n;
      bar.className = r.answer === k ? 'right' : '';
    }
  }

  function render() {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-Hans';
    for (const b of document.querySelectorAll('#langs button'))
      b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
    if (!Object.keys(strings).length) { $('conn').textContent = 'Connecting… 正在连接…'; return; }
    // A room that stays out of reach for long may have closed (a reload after it did): say so.
    put($('conn'), closed ? 'closed' : full ? 'full' : connected ? ''
                   : retry >= 6 ? 'unreachable' : (retry ? 'reconnecting' : 'connecting'));
    if (connected && !closed && !full) $('conn').replaceChildren();
    put($('brand'), 'brand');
    const s = state;
    const phase = s ? s.phase : 'waiting';
    $('question').hidden = !s || !s.scenario;
    if (s && s.scenario) {
      put($('title'), s.title);
      put($('setup'), s.setup);
      const st = s.step;
      $('step-label').hidden = $('step').hidden = !st;
      if (st) { put($('step-label'), 'step', { n: st.n, of: st.of }); markdown($('step'), st.text); }
    }
    $('waiting').hidden = phase !== 'waiting' || full || closed; // not in the room: no wait
    put($('waiting-text'), 'waiting');
    $('ask').hidden = phase !== 'voting';
    put($('ask-text'), 'ask');
    put($('yes'), 'yes');
    put($('no'), 'no');
    $('yes').setAttribute('aria-pressed', String(you === 'exits'));
    $('no').setAttribute('aria-pressed', String(you === 'hangs'));
    const said = you ? { zh: fill(word('you-said', 'zh'), { vote: word(you, 'zh') }),
                         en: fill(word('you-said', 'en'), { vote: word(you, 'en') }) } : 'not-yet';
    put($('you'), said);
    $('running').hidden = phase !== 'running';
    put($('running-text'), 'running');
    // Voting is closed now: no "you can change it".
    const final = you ? { zh: fill(word('you-said-final', 'zh'), { vote: word(you, 'zh') }),
                          en: fill(word('you-said-final', 'en'), { vote: word(you, 'en') }) } : 'no-vote';
    put($('you-running'), final);
    const r = s && s.result;
    $('result').hidden = phase !== 'revealed' || !r;
    if (r) {
      const a = $('answer');
      a.className = r.answer;
      put(a, 'answer-' + r.answer);
      put($('reason'), r.reason);
      if (r.answer === 'other') put($('mine'), 'no-answer');
      else if (!you) put($('mine'), 'no-vote');
      else put($('mine'), you === r.answer ? 'right' : 'wrong');
      const voters = r.said_exits + r.said_hangs;
      if (voters && r.accuracy !== null) {
        const right = r.answer === 'exits' ? r.said_exits : r.said_hangs;
        put($('class'), 'class', { right: right, voters: voters,
                                   pct: r.pct, exits: r.said_exits });
      } else put($('class'), 'class-none');
      distribution(r);
      // Read out once per reveal, in the page's language (a screen reader, aria-live).
      const say = [$('mine'), $('answer')].map((e) => e.textContent).join(' ');
      const key = s.round + ':' + lang;
      if (announced !== key) { announced = key; $('announce').textContent = say; }
    }
  }

  function connect() {
    const base = location.pathname.replace(/[^/]*$/, '');
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base +
                'ws?id=' + encodeURIComponent(attendeeId());
    ws = new WebSocket(url);
    ws.onopen = () => { connected = true; retry = 0; render(); };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string' || ev.data.length > 65536) return;
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (!m || typeof m !== 'object') return;
      if (m.t === 'hello' && m.strings && typeof m.strings === 'object') strings = m.strings;
      else if (m.t === 'state') {
        full = false; // in the room
        if (!state || state.round !== m.round) you = null;
        state = m;
        if (m.you === 'exits' || m.you === 'hangs') you = m.you;
      } else if (m.t === 'ack' && state && m.round === state.round && pending === null &&
                 (m.result === 'counted' || m.result === 'changed')) you = m.vote;
      render();
    };
    ws.onclose = (ev) => {
      connected = false;
      ws = null;
      // The presenter closed the room: say so, and stop trying (a new room has a new QR code).
      if (ev && ev.code === 1001 && ev.reason === 'room-closed') { closed = true; render(); return; }
      // The room is full: say so, and try again now and then (someone may leave).
      if (ev && ev.reason === 'room-full') {
        full = true;
        render();
        setTimeout(connect, 15000 + Math.random() * 5000);
        return;
      }
      retry++;
      render();
      // Back off a little, with jitter, so 200 phones do not all come back at once.
      const delay = Math.min(5000, 400 * retry) + Math.random() * 600;
      setTimeout(connect, delay);
    };
  }

  function vote(v) {
    if (!ws || ws.readyState !== WebSocket.OPEN || !state || state.phase !== 'voting') return;
    you = v;
    render();
    // Taps faster than a person decides: only the last one goes, a quarter second on.
    pending = v;
    const wait = 250 - (Date.now() - sent);
    if (wait > 0) { if (!timer) timer = setTimeout(flush, wait); return; }
    flush();
  }
  function flush() {
    timer = 0;
    const v = pending;
    pending = null;
    if (!v || !ws || ws.readyState !== WebSocket.OPEN || !state || state.phase !== 'voting') return;
    sent = Date.now();
    ws.send(JSON.stringify({ round: state.round, vote: v }));
  }

  document.addEventListener('DOMContentLoaded', () => {
    const saved = store('daemonlab-room-lang');
    if (saved === 'zh' || saved === 'en' || saved === 'both') lang = saved;
    else lang = (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
    for (const b of document.querySelectorAll('#langs button'))
      b.addEventListener('click', () => { lang = b.dataset.lang; store('daemonlab-room-lang', lang); render(); });
    $('yes').addEventListener('click', () => vote('exits'));
    $('no').addEventListener('click', () => vote('hangs'));
    render();
    connect();
  });
})();
