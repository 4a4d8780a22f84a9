// 识别与退出 (fupin/identification): a form marked data-confirm asks before it is sent (退回、不予通过、撤回).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
