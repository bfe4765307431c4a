// The bulk recommendation/decision page: running totals against the pool while the chair types.
// Progressive enhancement: without this file the server shows the same totals after each POST
// (cases/bulk.py entered_amount is the rule this file mirrors; keep the two in step).
(function () {
  "use strict";

  // Amounts as whole øre, so adding many of them never drifts.
  function toOre(plain) {
    var n = Number(plain);
    return isFinite(n) ? Math.round(n * 100) : 0;
  }

  // "12.500,50" and "12500.50" alike, as cases/bulk_forms.py normalise_amount reads them.
  function parseAmount(text, decimalSep, thousandSep) {
    var value = String(text || "").replace(/\s+/g, "");
    if (value === "") {
      return null;
    }
    if (value.indexOf(decimalSep) !== -1) {
      var cut = value.lastIndexOf(decimalSep);
      var fraction = value.slice(cut + 1);
      if (fraction.indexOf(thousandSep) !== -1) {
        return null;
      }
      value = value.slice(0, cut).split(thousandSep).join("") + "." + fraction;
    } else {
      var parts = value.split(thousandSep);
      value = parts.length === 2 && parts[1].length !== 3 ? parts[0] + "." + parts[1] : parts.join("");
    }
    if (!/^\d+(\.\d{0,2})?$/.test(value)) {
      return null;
    }
    return toOre(value);
  }

  function formatMoney(ore, currency) {
    var lang = document.documentElement.lang || "da";
    var number = new Intl.NumberFormat(lang, {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
      useGrouping: true,
    }).format(Math.abs(ore) / 100);
    return currency + " " + (ore < 0 ? "-" : "") + number;
  }

  function field(row, name) {
    var input = row.querySelector('[data-bulk="' + name + '"]');
    return input ? input.value : "";
  }

  function rowOre(row, body, decimalSep, thousandSep) {
    if (row.hasAttribute("data-conflicted")) {
      return 0;
    }
    var requested = toOre(row.getAttribute("data-requested"));
    var outcome = field(row, "outcome");
    var amount = parseAmount(field(row, "amount"), decimalSep, thousandSep);
    if (body === "council") {
      if (outcome === "grant") {
        return requested;
      }
      return outcome === "partial" && amount !== null ? amount : 0;
    }
    if (field(row, "action") !== "decide" || outcome !== "grant") {
      return 0;
    }
    return amount === null ? requested : amount;
  }

  function update(totals) {
    var body = totals.getAttribute("data-body");
    var decimalSep = totals.getAttribute("data-decimal");
    var thousandSep = totals.getAttribute("data-thousand");
    var currency = totals.getAttribute("data-currency");
    var entered = 0;
    document.querySelectorAll("#bulk-table tr.pf-bulk-row").forEach(function (row) {
      entered += rowOre(row, body, decimalSep, thousandSep);
    });
    var remaining =
      toOre(totals.getAttribute("data-pool")) -
      toOre(totals.getAttribute("data-granted-before")) -
      entered;
    document.getElementById("total-entered").textContent = formatMoney(entered, currency);
    var left = document.getElementById("total-remaining");
    left.textContent = formatMoney(remaining, currency);
    left.classList.toggle("pf-bulk-over", remaining < 0);
    document.getElementById("bulk-over").hidden = remaining >= 0;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var totals = document.getElementById("bulk-totals");
    var form = document.getElementById("bulk-form");
    if (!totals || !form) {
      return;
    }
    var refresh = function () {
      update(totals);
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  });
})();
