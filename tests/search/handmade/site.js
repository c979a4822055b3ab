// Stand-in for the theme's site.js in hand-made test pages, implementing the same page
// contract: nothing search-related loads until the button, "/" or Ctrl-K; ?highlight=
// loads search.js and marks the words.
(function () {
  var root = document.querySelector('meta[name="kb-root"]').content;
  var loading = null;
  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = root + 'search/search.css';
        document.head.appendChild(link);
        var s = document.createElement('script');
        s.src = root + 'search/search.js';
        s.onload = resolve;
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }
  function open() { load().then(function () { window.kbSearch.open(); }); }
  document.addEventListener('click', function (e) {
    if (e.target.closest('[data-kb-search-open]')) open();
  });
  document.addEventListener('keydown', function (e) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if ((e.key === '/' && !typing) || (e.key === 'k' && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      open();
    }
  });
  var words = new URLSearchParams(location.search).get('highlight');
  if (words) load().then(function () { window.kbSearch.highlight(words); });
})();
