package main

import (
	"encoding/base64"
	"fmt"
)

// The JavaScript the benchmark puts in the page. It uses only the app's
// public surface: the data-testid hooks, the file input, and the worker's
// message protocol (internal/protocol). Nothing in the app
// is changed for the benchmark.

// instrumentJS runs in every document before the app's own scripts
// (Page.addScriptToEvaluateOnNewDocument). It
//   - keeps every Worker the page creates in __bench.workers (the classifier
//     worker is the only one), so the benchmark can post classify messages
//     to it directly;
//   - records, with a MutationObserver (no polling), when the model status
//     first says "ready" and when the first finished result with predictions
//     is in the DOM, plus the next animation frame after it (the rendered
//     result), all as performance.now() = ms since navigation start;
//   - when __benchPhoto is set, drops the photo into the file input the
//     moment the model is ready (a user who picked a photo while it loaded).
func instrumentJS(photo []byte, photoName string) string {
	return fmt.Sprintf(`(() => {
  if (window.__bench) return;
  const B = window.__bench = {workers: [], readyAt: null, firstResultAt: null, firstPaintAt: null, photoAt: null};
  const W = window.Worker;
  // B.marks: when the worker's load messages first arrived (download
  // started, verify started, loaded), for the cold-load timeline.
  B.marks = {};
  window.Worker = class extends W { constructor(...a) { super(...a); B.workers.push(this);
    this.addEventListener('message', (e) => { const d = e.data || {};
      const k = d.type === 'progress' ? d.phase : d.type;
      if ((k === 'download' || k === 'verify' || k === 'loaded') && !(k in B.marks)) B.marks[k] = performance.now(); }); } };
  B.photoB64 = %q;
  B.photoName = %q;
  B.photoFile = () => {
    const s = atob(B.photoB64); const u = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
    return new File([u], B.photoName, {type: 'image/jpeg'});
  };
  B.choose = (file) => {
    const input = document.querySelector('[data-testid=file-input]');
    const dt = new DataTransfer(); dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event('change', {bubbles: true}));
  };
  B.auto = new URL(location.href).searchParams.has('benchauto');
  const check = () => {
    const s = document.querySelector('[data-testid=model-status]');
    if (B.readyAt === null && s && s.dataset.status === 'ready') {
      B.readyAt = performance.now();
      if (B.auto) { B.photoAt = performance.now(); B.choose(B.photoFile()); }
    }
    if (B.readyAt !== null && B.firstResultAt === null && document.querySelector('[data-testid=result][data-state=done] [data-testid=pred]')) {
      B.firstResultAt = performance.now();
      requestAnimationFrame(() => { B.firstPaintAt = performance.now(); });
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-state']});
})();`, base64.StdEncoding.EncodeToString(photo), photoName)
}

// workerTimesJS classifies the same frame n times (after warm warm-up
// runs) by posting the worker's own "classify" message, one at a time
// (as the page does: the worker handles its messages in order), and returns
// {ms: [worker-reported ms], rt: [page round trip ms], w, h}. The frame is
// the benchmark photo drawn at w x h, as the page would send it; ids start
// at 1e9 so the app's own client ignores the answers.
const workerTimesJS = `(async (n, warm, w, h) => {
  const B = window.__bench;
  const wk = B.workers[0];
  if (!wk) throw new Error('no worker');
  const bmp = await createImageBitmap(B.photoFile(), {resizeWidth: w, resizeHeight: h, resizeQuality: 'high'});
  const cv = new OffscreenCanvas(w, h); const cx = cv.getContext('2d'); cx.drawImage(bmp, 0, 0);
  const px = cx.getImageData(0, 0, w, h).data;
  B.nextId = B.nextId || 1e9;
  const one = () => new Promise((resolve, reject) => {
    const id = B.nextId++;
    const f = (e) => {
      const d = e.data || {};
      if (d.id !== id) return;
      wk.removeEventListener('message', f);
      if (d.type === 'result') resolve(d); else reject(new Error(d.type + ': ' + (d.message || '')));
    };
    wk.addEventListener('message', f);
    const buf = px.slice();
    wk.postMessage({type: 'classify', id, image: new ImageData(buf, w, h)}, [buf.buffer]);
  });
  for (let i = 0; i < warm; i++) await one();
  const ms = [], rt = [];
  let top = '', workers = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const d = await one();
    rt.push(performance.now() - t0);
    ms.push(d.ms);
    top = d.top[0].label + ' ' + d.top[0].prob.toFixed(3);
    workers = Math.max(workers, d.workers || 1);
  }
  return {ms, rt, top, workers};
})`

// endToEndJS picks the photo with the file input n times and times each
// from the change event to the next animation frame after its result card
// shows predictions (the browser decodes the JPEG, the page scales it, the
// worker classifies, Vugu renders).
const endToEndJS = `(async (n) => {
  const B = window.__bench;
  const done = () => document.querySelectorAll('[data-testid=result][data-state=done] [data-testid=pred]:first-child').length;
  const out = [];
  for (let i = 0; i < n; i++) {
    const before = done();
    const f = B.photoFile();
    const t0 = performance.now();
    await new Promise((resolve) => {
      const mo = new MutationObserver(() => {
        if (done() > before) { mo.disconnect(); requestAnimationFrame(() => resolve()); }
      });
      mo.observe(document.body, {subtree: true, childList: true, attributes: true});
      B.choose(f);
    });
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return out;
})`

// frameGapsJS samples the page's main thread for ms milliseconds while the
// webcam runs: the gaps between animation frames (16.7 ms when nothing
// blocks it).
const frameGapsJS = `(async (ms) => {
  const gaps = [];
  const end = performance.now() + ms;
  let last = performance.now();
  await new Promise((resolve) => {
    const frame = () => { const t = performance.now(); gaps.push(t - last); last = t; if (t < end) requestAnimationFrame(frame); else resolve(); };
    requestAnimationFrame(frame);
  });
  return gaps;
})`

// timerLateJS measures how late setTimeout(0) fires, n times.
const timerLateJS = `(async (n) => {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 0));
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  return out;
})`
