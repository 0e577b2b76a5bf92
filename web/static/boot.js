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

	const MODEL_CACHE = 'flowerscope-models-v1'; // the UI's modelCache (platform_js.go)

	// cacheModel stores a verified weight file and drops other versions.
	async function cacheModel(url, bytes) {
		const c = await caches.open(MODEL_CACHE);
		await c.put(url, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));
		const want = new URL(url, location.href).href;
		for (const k of await c.keys()) {
			if (k.url !== want) await c.delete(k);
		}
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
			const model = (async () => {
				try {
					const hit = await (await caches.open(MODEL_CACHE)).match(m.model);
					if (hit) return { cached: true, response: hit };
				} catch (e) { /* no Cache API: download */ }
				return { cached: false, response: await fetch(m.model, { cache: 'no-cache' }) };
			})();
			// The default model goes to the worker from here, without waiting
			// for the UI: from the Cache API (verified before it was stored),
			// or downloaded with its progress in early.progress, which the UI
			// shows; a download is cached once the worker has verified it.
			// The UI takes the answer (earlyLoaded); null means it failed and
			// the UI loads the model itself, reporting why.
			early.progress = { loaded: 0, total: m.modelSize || 0, phase: 'Downloading' };
			early.loaded = model.then(async (r) => {
				let bytes;
				let copy = null;
				if (r.cached) {
					bytes = new Uint8Array(await r.response.arrayBuffer());
				} else {
					if (!r.response.ok || !r.response.body) return null;
					const reader = r.response.body.getReader();
					const chunks = [];
					let n = 0;
					for (;;) {
						const { done, value } = await reader.read();
						if (done) break;
						chunks.push(value);
						n += value.length;
						early.progress.loaded = n;
					}
					bytes = new Uint8Array(n);
					let off = 0;
					for (const c of chunks) { bytes.set(c, off); off += c.length; }
					copy = bytes.slice(); // for the cache: the bytes move to the worker
				}
				early.progress.phase = 'Verifying';
				const answer = await new Promise((resolve) => {
					const id = -1; // the page's own requests count up from 1
					const on = (e) => {
						if (e.data && e.data.id === id) {
							worker.removeEventListener('message', on);
							resolve(e.data);
						}
					};
					worker.addEventListener('message', on);
					worker.postMessage({ type: 'load', id, bytes }, [bytes.buffer]);
				});
				if (answer.type !== 'loaded') return null;
				if (copy) {
					cacheModel(m.model, copy).catch(() => { /* works uncached */ });
				}
				return { answer, cached: r.cached };
			}).catch(() => null);
		}
		say('Loading the app…');
		const go = new Go();
		const { instance } = await WebAssembly.instantiateStreaming(fetch(m.ui), go.importObject);
		go.run(instance);
	}
	start().catch((err) => say('Flowerscope could not start: ' + err.message + '. Reload to try again.'));
})();
