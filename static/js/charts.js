// The charts of the participation dashboard (templates/reports/dashboard.html) and of a test's results
// (templates/materials/results/results.html), drawn with the vendored Chart.js. Figures come from the
// pages' json_script blocks, the series' names from data-* attributes of the canvas (translated there).
(function () {
  "use strict";
  if (typeof window.Chart !== "function") return;
  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var units = document.getElementById("chart-units");
  var data = json("chart-data");
  if (units && data) {
    var names = units.dataset;
    var datasets = [
      { label: names.teachers, data: data.teachers, yAxisID: "y" },
      { label: names.students, data: data.students, yAxisID: "y" },
      { label: names.photos, data: data.photo_ok_rate, type: "line", yAxisID: "percent" },
    ];
    if (data.coverage.some(function (v) { return v !== null; })) {
      datasets.push({ label: names.coverage, data: data.coverage, type: "line", yAxisID: "percent" });
    }
    new window.Chart(units, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: { responsive: true, scales: { percent: { position: "right", min: 0, max: 100 } } },
    });
  }

  var trendCanvas = document.getElementById("chart-trend");
  var trend = json("trend-data");
  if (trendCanvas && trend) {
    new window.Chart(trendCanvas, {
      type: "line",
      data: {
        labels: trend.labels,
        datasets: [
          { label: trendCanvas.dataset.teachers, data: trend.teachers },
          { label: trendCanvas.dataset.students, data: trend.students },
          { label: trendCanvas.dataset.topics, data: trend.topics },
        ],
      },
      options: { responsive: true },
    });
  }

  var bandsCanvas = document.getElementById("chart-bands");
  var bands = json("bands-data");
  if (bandsCanvas && bands) {
    var colours = ["#dc3545", "#fd7e14", "#0d6efd", "#198754"];
    new window.Chart(bandsCanvas, {
      type: "bar",
      data: {
        labels: bands.labels,
        datasets: bands.bands.map(function (band, i) {
          return { label: band, data: bands.counts[i], backgroundColor: colours[i] };
        }),
      },
      options: {
        responsive: true,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
})();
