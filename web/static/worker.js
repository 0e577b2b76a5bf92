// worker.js hosts the classifier: its own Go WebAssembly instance
// (wasm/worker) in a Web Worker, so classifying never blocks the page.
// The page compiles the worker's module and posts it first
// ({type:"module"}); messages that arrive before Go has started are kept
// and replayed. Every message is package internal/protocol's; Go decodes
// and draws the images itself (wasm/worker/image_js.go).
'use strict';
const params = new URL(self.location.href).searchParams;
const safe = (name, fallback) => (/^[A-Za-z0-9_.-]+$/.test(name || '') ? name : fallback);
importScripts(safe(params.get('exec'), 'wasm_exec.js'));

// A helper (role=helper) is a second instance that the main worker starts
// on cross-origin isolated pages to compute half of every layer
// (wasm/worker/split_js.go); it talks only to the main worker.
const role = params.get('role') === 'helper' ? 'helper' : 'main';
self.alexnetRole = role;
let wasmModule = null;

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

function fail(err) {
	const message = 'The classifier could not start: ' + (err && err.message ? err.message : err);
	const reply = (d) => self.postMessage({ type: 'error', id: d && d.id, kind: 'model', message });
	early.forEach(reply);
	early.length = 0;
	self.onmessage = (e) => reply(e.data);
}

async function start(module) {
	wasmModule = module;
	const go = new Go();
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
		start(d.module).catch(fail);
	} else if (!started && d.type === 'module-error') {
		started = true;
		fail(d.message);
	} else {
		early.push(d);
	}
};
