(function () {
  var seen = null;
  setInterval(function () {
    fetch("/_platc/build", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (v) {
      if (seen === null) { seen = v; } else if (v !== seen) { location.reload(); }
    }).catch(function () {});
  }, 1000);
})();
