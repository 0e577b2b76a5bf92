// boot.js starts the page: registers the service worker (offline use after
// the first visit) and runs the Vugu UI's WebAssembly. The classifier runs
// in its own worker (worker.js), which the UI starts.
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

	if ('serviceWorker' in navigator) {
		navigator.serviceWorker.register('sw.js').catch(() => { /* works without it, only not offline */ });
	}

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
		// worker's compile and the default model (Cache API first, the same
		// cache the UI uses). The UI takes them over (platform_js.go: early).
		const early = { manifest: m };
		window.alexnetEarly = early;
		early.workerModule = WebAssembly.compileStreaming(fetch(m.worker));
		early.workerModule.catch(() => {}); // the UI reports failures
		// The classifier's worker starts now too (its Go instance boots
		// while the UI's compiles); the UI adopts it.
		const worker = new Worker('worker.js?exec=' + encodeURIComponent(m.wasmExec));
		early.worker = worker;
		early.workerModule.then(
			(module) => worker.postMessage({ type: 'module', module }),
			(err) => worker.postMessage({ type: 'module-error', message: String((err && err.message) || err) }));
		if (!new URLSearchParams(location.search).get('model')) {
			early.modelURL = m.model;
			early.model = (async () => {
				try {
					const hit = await (await caches.open('flowerscope-models-v1')).match(m.model);
					if (hit) return { cached: true, response: hit };
				} catch (e) { /* no Cache API: download */ }
				return { cached: false, response: await fetch(m.model, { cache: 'no-cache' }) };
			})();
			early.model.catch(() => {});
			// A model already in the Cache API (verified before it was
			// stored) goes to the worker at once; the UI takes the answer
			// (null: not cached, or it failed; the UI then loads it itself).
			early.loaded = early.model.then(async (r) => {
				if (!r.cached) return null;
				const bytes = new Uint8Array(await r.response.arrayBuffer());
				const answer = await new Promise((resolve) => {
					const id = 'boot-load';
					const on = (e) => {
						if (e.data && e.data.id === id) {
							worker.removeEventListener('message', on);
							resolve(e.data);
						}
					};
					worker.addEventListener('message', on);
					worker.postMessage({ type: 'load', id, bytes }, [bytes.buffer]);
				});
				return answer.type === 'loaded' ? { answer } : null;
			}).catch(() => null);
		}
		say('Loading the app…');
		const go = new Go();
		const { instance } = await WebAssembly.instantiateStreaming(fetch(m.ui), go.importObject);
		go.run(instance);
	}
	start().catch((err) => say('Flowerscope could not start: ' + err.message + '. Reload to try again.'));
})();
