// Draws every chart from its JSON block, and reports on the page itself anything that went wrong
// (a script error, a blocked request, an image that did not load) in #problems and in
// document.body.dataset: a reader sees it, and so does the report's browser test.
(function () {
  var problems = [];
  function problem(text) {
    problems.push(text);
    var box = document.getElementById('problems');
    if (box) {
      box.hidden = false;
      box.textContent = 'Problems on this page: ' + problems.join(' | ');
    }
    document.body.dataset.problems = problems.join(' | ');
  }
  var consoleError = console.error;
  console.error = function () {
    problem('console error: ' + Array.prototype.join.call(arguments, ' '));
    consoleError.apply(console, arguments);
  };
  window.addEventListener('error', function (e) {
    if (e.target && e.target.tagName === 'IMG') {
      problem('image not found: ' + e.target.getAttribute('src'));
    } else {
      problem('script error: ' + e.message);
    }
  }, true);
  document.addEventListener('securitypolicyviolation', function (e) {
    problem('blocked request: ' + e.blockedURI);
  });
  var drawn = 0;
  document.querySelectorAll('.plot[data-chart]').forEach(function (el) {
    try {
      var option = JSON.parse(document.getElementById(el.dataset.chart).textContent);
      var chart = echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(option);
      window.addEventListener('resize', function () { chart.resize(); });
      el.dataset.rendered = 'true';
      drawn++;
    } catch (err) {
      problem('chart ' + el.id + ': ' + err.message);
    }
  });
  document.querySelectorAll('img').forEach(function (img) {
    if (img.complete && img.naturalWidth === 0) {
      problem('image not found: ' + img.getAttribute('src'));
    }
  });
  document.body.dataset.charts = String(drawn);
  document.body.dataset.ready = 'true';
})();
