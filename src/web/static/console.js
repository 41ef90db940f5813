// The console's only script: the live view of a run, refreshed without
// reloading the page. Everything else works without it.
(() => {
  const live = document.getElementById('live');
  if (!live) return;
  const school = live.dataset.school;
  const asked = new URLSearchParams(location.search).has('asked');
  let active = live.dataset.running === 'yes' || asked;
  let quietPolls = 0;
  async function poll() {
    try {
      const response = await fetch(`/schools/${encodeURIComponent(school)}/live`, {
        credentials: 'same-origin',
        headers: { accept: 'text/html' },
      });
      if (response.ok) {
        const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
        const fresh = doc.getElementById('live-body');
        const section = doc.getElementById('live');
        const body = document.getElementById('live-body');
        if (fresh && body && fresh.innerHTML !== body.innerHTML) body.innerHTML = fresh.innerHTML;
        const running = section?.dataset.running === 'yes';
        const finished = fresh?.querySelector('[data-live="outcome"]') !== null;
        quietPolls = running ? 0 : quietPolls + 1;
        // Stop once the run is over (or never started after a few polls).
        active = running || (!finished && quietPolls < 30);
        live.dataset.running = running ? 'yes' : 'no';
      }
    } catch {
      // The service may be restarting: try again at the next tick.
    }
    if (active) setTimeout(poll, 1000);
  }
  if (active) setTimeout(poll, 500);
})();
