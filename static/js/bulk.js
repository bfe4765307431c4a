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

  // The screens' one amount rule, cases/formatting.py parse_amount, line for line
  // (tests/cases/test_amounts.py runs both over one table): the language's notation,
  // thousands only in groups of three, at most two decimals, "kr."/"DKK" and a Danish ",-"
  // ignored, anything ambiguous ("12.500.50", "3,500.50", "1e5") refused (null).
  function parseAmount(text, decimalSep, thousandSep) {
    var value = String(text === null || text === undefined ? "" : text)
      .replace(/[\s\u00a0\u202f]+/g, " ")
      .trim()
      .replace(/^(?:kr\.?|dkk)\s*|\s*(?:kr\.?|dkk)$/i, "")
      .trim();
    if (decimalSep === "," && value.slice(-2) === ",-") {
      value = value.slice(0, -2);
    }
    if (value.indexOf(" ") !== -1) {
      if (value.indexOf(thousandSep) !== -1) {
        return null;
      }
      value = value.split(" ").join(thousandSep);
    }
    var whole;
    var fraction;
    var plain = value.split(thousandSep);
    if (plain.length === 2 && /^[0-9]+$/.test(plain[0]) && /^[0-9]{1,2}$/.test(plain[1])) {
      whole = plain[0];
      fraction = plain[1];
    } else {
      var cut = value.indexOf(decimalSep);
      whole = cut === -1 ? value : value.slice(0, cut);
      fraction = cut === -1 ? "" : value.slice(cut + 1);
      if (cut !== -1 && !/^[0-9]{1,2}$/.test(fraction)) {
        return null;
      }
      var groups = whole.split(thousandSep);
      if (!/^[0-9]+$/.test(groups[0]) || (groups.length > 1 && groups[0].length > 3)) {
        return null;
      }
      for (var i = 1; i < groups.length; i++) {
        if (!/^[0-9]{3}$/.test(groups[i])) {
          return null;
        }
      }
      whole = groups.join("");
    }
    var ore = Number(whole) * 100 + Number((fraction + "00").slice(0, 2));
    return ore >= 1e12 ? null : ore;
  }

  // For tests/cases/test_amounts.py, which runs this file in Node against the Python rule.
  if (typeof module !== "undefined" && module.exports) {
    module.exports.parseAmount = parseAmount;
    return;
  }

  // As cases.formatting.money: the language's pattern ("%(amount)s kr." in Danish).
  function formatMoney(ore, pattern) {
    var lang = document.documentElement.lang || "da";
    var number = new Intl.NumberFormat(lang, {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
      useGrouping: true,
    }).format(Math.abs(ore) / 100);
    return pattern.replace("%(amount)s", (ore < 0 ? "-" : "") + number);
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
    var pattern = totals.getAttribute("data-money") || "%(amount)s";
    var entered = 0;
    document.querySelectorAll("#bulk-table tr.pf-bulk-row").forEach(function (row) {
      entered += rowOre(row, body, decimalSep, thousandSep);
    });
    var remaining =
      toOre(totals.getAttribute("data-pool")) -
      toOre(totals.getAttribute("data-granted-before")) -
      entered;
    document.getElementById("total-entered").textContent = formatMoney(entered, pattern);
    var left = document.getElementById("total-remaining");
    left.textContent = formatMoney(remaining, pattern);
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
