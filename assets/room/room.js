// The attendee's page: follows the presenter over a WebSocket, sends one thing, a vote.
// Every text goes through textContent (never HTML), so nothing the server relays can run.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let strings = {};      // key -> {zh, en}, from the server's "hello"
  let state = null;      // the last "state"
  let you = null;        // "exits" | "hangs" | null, this round
  let ws = null, retry = 0, connected = false, closed = false;
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

  function render() {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-Hans';
    for (const b of document.querySelectorAll('#langs button'))
      b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
    if (!Object.keys(strings).length) { $('conn').textContent = 'Connecting… 正在连接…'; return; }
    put($('conn'), closed ? 'closed' : connected ? '' : (retry ? 'reconnecting' : 'connecting'));
    if (connected && !closed) $('conn').replaceChildren();
    put($('brand'), 'brand');
    const s = state;
    const phase = s ? s.phase : 'waiting';
    $('question').hidden = !s || !s.scenario;
    if (s && s.scenario) {
      put($('title'), s.title);
      put($('setup'), s.setup);
      const st = s.step;
      $('step-label').hidden = $('step').hidden = !st;
      if (st) { put($('step-label'), 'step', { n: st.n, of: st.of }); put($('step'), st.text); }
    }
    $('waiting').hidden = phase !== 'waiting';
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
    put($('you-running'), you ? said : 'no-vote');
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
        if (!state || state.round !== m.round) you = null;
        state = m;
        if (m.you === 'exits' || m.you === 'hangs') you = m.you;
      } else if (m.t === 'ack' && state && m.round === state.round &&
                 (m.result === 'counted' || m.result === 'changed')) you = m.vote;
      render();
    };
    ws.onclose = (ev) => {
      connected = false;
      ws = null;
      // The presenter closed the room: say so, and stop trying (a new room has a new QR code).
      if (ev && ev.code === 1001 && ev.reason === 'room-closed') { closed = true; render(); return; }
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
    ws.send(JSON.stringify({ round: state.round, vote: v }));
    render();
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
