// worker.js hosts the classifier: its own Go WebAssembly instance
// (wasm/worker) in a Web Worker, so classifying never blocks the page.
// The page compiles the worker's module and posts it first
// ({type:"module"}); messages that arrive before Go has started are kept
// and replayed.
'use strict';
const params = new URL(self.location.href).searchParams;
const safe = (name, fallback) => (/^[A-Za-z0-9_.-]+$/.test(name || '') ? name : fallback);
importScripts(safe(params.get('exec'), 'wasm_exec.js'));

const early = [];
let started = false;

function fail(err) {
	const message = 'The classifier could not start: ' + (err && err.message ? err.message : err);
	const reply = (d) => self.postMessage({ type: 'error', id: d && d.id, kind: 'model', message });
	early.forEach(reply);
	early.length = 0;
	self.onmessage = (e) => reply(e.data);
	self.postMessage({ type: 'fatal', message });
}

async function start(module) {
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
