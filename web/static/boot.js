// boot.js starts the page: registers the service worker (offline use after
// the first visit), starts the classifier's worker (worker.js), which loads
// the default model at once, and runs the Vugu UI's WebAssembly, which
// adopts the worker. Messages to the worker are package internal/protocol's.
'use strict';
(function () {
	// Vugu's renderer installs its helper script with window.eval. The same
	// script is already loaded from vugu-render.js (a file, allowed by the
	// Content-Security-Policy), so that eval is a no-op and the page needs no
	// 'unsafe-eval'. Every other eval still fails as CSP says.
	const realEval = window.eval;
	window.eval = function (src) {
		if (window.vuguRender && typeof src === 'string' && src.indexOf('if(window.vuguRender)return') >= 0) {
			return undefined;
		}
		return realEval(src);
	};

	const say = (msg) => {
		const el = document.getElementById('splash-msg');
		if (el) el.textContent = msg;
	};

	// The service worker precaches the app shell (both wasm files again):
	// registered once the worker has answered the default model's load (at
	// its first message when there is none) or stopped, so that it does not
	// compete for the cores during a cold start.
	let registered = false;
	const registerSW = () => {
		if (registered || !('serviceWorker' in navigator)) return;
		registered = true;
		navigator.serviceWorker.register('sw.js').catch(() => { /* works without it, only not offline */ });
	};
	// bootLoadID is protocol.BootLoadID, the id of the default model's load.
	const bootLoadID = -1;
	const bootLoadOver = (d) => d.type === 'exit' || ((d.type === 'loaded' || d.type === 'error') && d.id === bootLoadID);

	// upWaitMs bounds how long the UI waits for the worker's first word.
	const upWaitMs = 3000;

	async function start() {
		if (typeof WebAssembly !== 'object' || typeof Go !== 'function') {
			throw new Error('this browser has no WebAssembly');
		}
		// No cache option: the server marks it no-cache (revalidated), and a
		// plain fetch matches index.html's preload of it.
		const res = await fetch('manifest.json');
		if (!res.ok) throw new Error('manifest.json: HTTP ' + res.status);
		const m = await res.json();
		// Start the slow parts now, in parallel with the UI's start: the
		// worker's compile, and the worker itself, asked at once to load the
		// default model (protocol.Load with id protocol.BootLoadID; the
		// worker fetches, caches and verifies it: wasm/worker/load_js.go).
		// The UI adopts the worker (web/worker_js.go: early) and takes the
		// messages it sent meanwhile.
		const early = { manifest: m };
		window.alexnetEarly = early;
		const module = WebAssembly.compileStreaming(fetch(m.worker));
		module.catch(() => {}); // the worker reports failures
		early.module = module; // kept: a restarted worker gets the same module
		// The Web Lock the worker holds while it lives (worker.js): the UI
		// learns from it that the worker is gone (web/worker_js.go).
		early.lock = navigator.locks ? 'flowerscope-worker-' + Math.random().toString(36).slice(2) + Date.now().toString(36) : '';
		const worker = new Worker('worker.js?exec=' + encodeURIComponent(m.wasmExec));
		early.worker = worker;
		if (!new URLSearchParams(location.search).get('model')) {
			worker.postMessage({ type: 'load', id: bootLoadID, url: m.model, cache: true, size: m.modelSize || 0 });
			early.bootLoad = true;
		}
		const kept = [];
		// workerUp settles at the worker's first word: protocol.Ready once its
		// Go runs, or an error or exit; or when it fails to load.
		let up;
		const workerUp = new Promise((resolve) => { up = resolve; });
		const keep = (e) => {
			kept.push(e.data);
			up();
			if (!early.bootLoad || bootLoadOver(e.data || {})) registerSW();
		};
		worker.addEventListener('message', keep);
		worker.addEventListener('error', () => { up(); registerSW(); });
		early.takeMessages = () => {
			worker.removeEventListener('message', keep);
			worker.addEventListener('message', (e) => { if (bootLoadOver(e.data || {})) registerSW(); });
			return kept;
		};
		module.then(
			(module) => worker.postMessage({ type: 'module', module, lock: early.lock }),
			(err) => worker.postMessage({ type: 'module-error', message: String((err && err.message) || err) }));
		say('Loading the app…');
		const go = new Go();
		const { instance } = await WebAssembly.instantiateStreaming(fetch(m.ui), go.importObject);
		// The UI's Go start and first render hold this thread for a while,
		// and a dedicated worker's thread is started from this thread: run
		// the UI once the worker has said its first word (its Go runs and
		// fetches the model meanwhile), or after upWaitMs at the most.
		await Promise.race([workerUp, new Promise((resolve) => setTimeout(resolve, upWaitMs))]);
		go.run(instance);
	}
	start().catch((err) => say('Flowerscope could not start: ' + err.message + '. Reload to try again.'));
})();
