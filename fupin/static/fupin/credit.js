// 扶贫小额信贷: the notice's 打印 button (no inline handlers: the pages' CSP allows none).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
