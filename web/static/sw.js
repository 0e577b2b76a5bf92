// sw.js makes the page work offline after the first visit. The app shell
// is cached at install; content-hashed files are served from the cache
// first (they never change), everything else from the network first with
// the cache as the fallback. Weight files are cached by the classifier's
// worker (Cache API) after they verify, so they are not handled here.
'use strict';
const VERSION = '__VERSION__';
const SHELL = 'flowerscope-shell-' + VERSION;
const HASHED = /\.[0-9a-f]{16}\.[a-z0-9]+$/;

self.addEventListener('install', (event) => {
	event.waitUntil((async () => {
		const m = await (await fetch('manifest.json', { cache: 'no-cache' })).json();
		const cache = await caches.open(SHELL);
		await cache.addAll(['./', 'index.html', 'app.css', 'look.css', 'boot.js', 'worker.js', 'vugu-render.js',
			'wasm_exec.js', 'icon.svg', 'manifest.json', m.ui, m.worker, 'worker.js?exec=' + encodeURIComponent(m.wasmExec)]);
		await self.skipWaiting();
	})());
});

self.addEventListener('activate', (event) => {
	event.waitUntil((async () => {
		for (const k of await caches.keys()) {
			if (k.startsWith('flowerscope-shell-') && k !== SHELL) await caches.delete(k);
		}
		await self.clients.claim();
	})());
});

self.addEventListener('fetch', (event) => {
	const req = event.request;
	const url = new URL(req.url);
	if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.endsWith('.alexnet')) {
		return;
	}
	event.respondWith((async () => {
		const cache = await caches.open(SHELL);
		if (HASHED.test(url.pathname)) {
			const hit = await cache.match(req);
			if (hit) return hit;
			const res = await fetch(req);
			if (res.ok) cache.put(req, res.clone());
			return res;
		}
		try {
			const res = await fetch(req);
			if (res.ok) cache.put(req, res.clone());
			return res;
		} catch (err) {
			const hit = await cache.match(req, { ignoreSearch: true });
			if (hit) return hit;
			throw err;
		}
	})());
});
