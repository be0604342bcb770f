const clock = document.getElementById("clock");
function tick() {
  if (clock) clock.textContent = new Date().toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}
tick();
setInterval(tick, 1000);
