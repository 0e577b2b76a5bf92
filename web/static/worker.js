// worker.js hosts the classifier: its own Go WebAssembly instance
// (wasm/worker) in a Web Worker, so classifying never blocks the page.
// The page compiles the worker's module and posts it first
// ({type:"module"}); messages that arrive before Go has started are kept
// and replayed. Every message is package internal/protocol's; Go decodes
// and draws the images itself (wasm/worker/image_js.go).
//
// When Go exits (a fatal error: out of memory, say), this posts
// protocol.Exit with the error Go printed and closes the worker. The
// page's worker holds the Web Lock that the Module message names for as
// long as it lives, so that the page learns when it is gone, however it
// went (protocol: "A worker that stops"). The name comes in a message, not
// in the URL: offline, the service worker answers with a cached worker.js
// whose URL has no query.
'use strict';
const params = new URL(self.location.href).searchParams;
const safe = (name, fallback) => (/^[A-Za-z0-9_.-]+$/.test(name || '') ? name : fallback);
importScripts(safe(params.get('exec'), 'wasm_exec.js'));

// The fatal error Go writes to stderr before it exits, for Exit's message.
let fatal = '';
{
	const write = globalThis.fs.writeSync.bind(globalThis.fs);
	const decoder = new TextDecoder('utf-8');
	let line = '';
	globalThis.fs.writeSync = (fd, buf) => {
		if (fd === 2 && !fatal) {
			line += decoder.decode(buf);
			const m = /(^|\n)(fatal error: [^\n]*)\n/.exec(line);
			if (m) fatal = m[2];
			line = line.slice(-200);
		}
		return write(fd, buf);
	};
}

// A helper (role=helper) is a second instance that the main worker starts
// on cross-origin isolated pages to compute half of every layer
// (wasm/worker/split_js.go); it talks only to the main worker.
const role = params.get('role') === 'helper' ? 'helper' : 'main';
self.alexnetRole = role;
let wasmModule = null;

// hold resolves once this worker holds the lock named name (at once
// without one); the lock is never released while the worker lives. A
// helper holds none.
const hold = (name) => (role === 'main' && name && self.navigator.locks
	? new Promise((resolve, reject) => {
		self.navigator.locks.request(String(name), () => {
			resolve();
			return new Promise(() => {}); // held until the worker is gone
		}).catch(reject);
	})
	: Promise.resolve());

// alexnetSync is one exchange's barrier for split_js.go: publish that part
// `me` finished exchange n, then wait until the other part has too. 1 when
// it has, 0 after ms milliseconds (ms 0: wait for ever).
self.alexnetSync = (ctl, me, n, ms) => {
	Atomics.store(ctl, me, n);
	Atomics.notify(ctl, me);
	const other = 1 - me;
	const end = ms > 0 ? performance.now() + ms : Infinity;
	for (;;) {
		const v = Atomics.load(ctl, other);
		if (v >= n) return 1;
		const left = end - performance.now();
		if (left <= 0) return 0;
		Atomics.wait(ctl, other, v, left);
	}
};

if (role === 'main' && self.crossOriginIsolated && typeof SharedArrayBuffer === 'function') {
	// alexnetSpawnHelper starts the helper; its messages go to Go as
	// {type:"helper", msg}.
	self.alexnetSpawnHelper = () => {
		if (!wasmModule) return null;
		const url = new URL(self.location.href);
		url.searchParams.set('role', 'helper');
		const helper = new Worker(url.href);
		helper.postMessage({ type: 'module', module: wasmModule });
		const toGo = (msg) => {
			const handle = self.alexnetWorkerHandle;
			if (typeof handle === 'function') handle({ type: 'helper', msg });
		};
		helper.onmessage = (e) => toGo(e.data);
		helper.onerror = () => toGo({ type: 'split-error', gen: 0 }); // gen 0: the current helper
		return helper;
	};
}

const early = [];
let started = false;

// A cold start's model download starts here, at once, while the page
// still compiles this worker's WebAssembly: the Load of a model to cache
// (the default model, boot.js) that arrives before Go runs starts its
// request unless the Cache API has the file. Go takes the response
// (alexnetEarlyModel; wasm/worker/load_js.go), and still decides: its
// own cache lookup first, then this response or a fetch of its own;
// it verifies, caches and reports progress as for any download.
let earlyModel = null;
const prefetch = (d) => {
	if (earlyModel || typeof d.url !== 'string' || d.url === '' || !d.cache) return;
	const hit = self.caches ? self.caches.match(d.url).catch(() => undefined) : Promise.resolve(undefined);
	const response = hit.then((h) => (h ? null : fetch(d.url, { cache: 'no-cache' }).then(drain)));
	response.catch(() => {}); // Go reports failures when it takes it
	earlyModel = { url: d.url, response };
};
// drain returns r with its body read from the network at once, ahead of
// its reader: until Go reads, the chunks wait here rather than stall the
// download. The status and headers are r's; a broken download errors the
// body, as it would have.
const drain = (r) => {
	if (!r.ok || !r.body) return r;
	const src = r.body.getReader();
	const body = new ReadableStream({
		start(c) {
			(async () => {
				for (;;) {
					const { done, value } = await src.read();
					if (done) break;
					c.enqueue(value);
				}
				c.close();
			})().catch((err) => c.error(err));
		},
	}, { highWaterMark: Infinity });
	return new Response(body, { status: r.status, statusText: r.statusText, headers: r.headers });
};
// alexnetEarlyModel returns the started request for url once (a Promise of
// a Response, or of null when there is none), or null.
self.alexnetEarlyModel = (url) => {
	const e = earlyModel;
	if (!e || e.url !== url) return null;
	earlyModel = { url: '', response: null }; // taken: never again
	return e.response;
};

function fail(err) {
	const message = 'The classifier could not start: ' + (err && err.message ? err.message : err);
	const reply = (d) => self.postMessage({ type: 'error', id: d && d.id, kind: 'model', message });
	early.forEach(reply);
	early.length = 0;
	self.onmessage = (e) => reply(e.data);
}

async function start(module, lock) {
	wasmModule = module;
	await hold(lock); // before Ready: the page asks for the lock once Ready arrives
	const go = new Go();
	go.exit = (code) => {
		self.postMessage({ type: 'exit', code, message: fatal });
		self.close();
	};
	const instance = await WebAssembly.instantiate(module, go.importObject);
	go.run(instance); // main installs alexnetWorkerHandle, then waits for messages
	const handle = self.alexnetWorkerHandle;
	if (typeof handle !== 'function') throw new Error('worker did not start');
	self.onmessage = (e) => handle(e.data);
	early.forEach((d) => handle(d));
	early.length = 0;
}

self.onmessage = (e) => {
	const d = e.data || {};
	if (!started && d.type === 'module') {
		started = true;
		start(d.module, d.lock).catch(fail);
	} else if (!started && d.type === 'module-error') {
		started = true;
		fail(d.message);
	} else {
		if (d.type === 'load') prefetch(d);
		early.push(d);
	}
};
