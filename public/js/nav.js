// The phone menu button (ux2 slice): on narrow screens the navigation folds behind "Menu". Loaded in <head>
// so the "js" class is set before the first paint; without JavaScript the menu simply stays open.
(function () {
  document.documentElement.classList.add('js');
  document.addEventListener('DOMContentLoaded', function () {
    var button = document.querySelector('.nav-toggle');
    var menu = button && document.getElementById(button.getAttribute('aria-controls'));
    if (!menu) return;
    function set(open) {
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      menu.classList.toggle('open', open);
    }
    button.addEventListener('click', function () { set(button.getAttribute('aria-expanded') !== 'true'); });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') { set(false); button.focus(); }
    });
  });
})();
