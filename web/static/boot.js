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
		const res = await fetch('manifest.json', { cache: 'no-cache' });
		if (!res.ok) throw new Error('manifest.json: HTTP ' + res.status);
		const m = await res.json();
		// Start the slow parts now, in parallel with the UI's start: the
		// worker's compile and the default model (Cache API first, the same
		// cache the UI uses). The UI takes them over (platform_js.go: early).
		const early = { manifest: m };
		window.alexnetEarly = early;
		early.workerModule = WebAssembly.compileStreaming(fetch(m.worker));
		early.workerModule.catch(() => {}); // the UI reports failures
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
		}
		say('Loading the app…');
		const go = new Go();
		const { instance } = await WebAssembly.instantiateStreaming(fetch(m.ui), go.importObject);
		go.run(instance);
	}
	start().catch((err) => say('Flowerscope could not start: ' + err.message + '. Reload to try again.'));
})();
