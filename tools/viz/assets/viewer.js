// tools/viz/assets/viewer.js — the `twinflow viz` HTML viewer: pan (drag), zoom (wheel and the
// +/−/Fit buttons), a search over node names that highlights the matches and centres one (Enter
// moves to the next), and a side panel with the clicked node's details.
//
// The details come from the JSON script element #tf-details, keyed by the DOT node id that
// Graphviz writes as each node's <title>. They are model data (layer names, attribute values),
// so they reach the page through textContent only, never as markup.
(function () {
  'use strict';

  const stage = document.getElementById('tf-stage');
  const canvas = document.getElementById('tf-canvas');
  const svg = canvas.querySelector('svg');
  const panel = document.getElementById('tf-panel');
  const panelBody = document.getElementById('tf-panel-body');
  const search = document.getElementById('tf-search');
  const searchStatus = document.getElementById('tf-search-status');
  const details = readDetails();

  const kMinScale = 0.02;
  const kMaxScale = 20;
  const kButtonZoom = 1.25;
  const kDragThreshold = 4;  // pixels a press may move and still count as a click

  // ---- pan and zoom: one CSS transform on the canvas, translate then scale ----

  const view = { x: 0, y: 0, scale: 1 };
  let userMoved = false;

  function apply() {
    canvas.style.transform =
        'translate(' + view.x + 'px, ' + view.y + 'px) scale(' + view.scale + ')';
  }

  function clampScale(scale) {
    return Math.min(kMaxScale, Math.max(kMinScale, scale));
  }

  // Zooms by `factor` keeping the stage point (px, py) fixed under the pointer.
  function zoomAt(factor, px, py) {
    const scale = clampScale(view.scale * factor);
    view.x = px - (px - view.x) * scale / view.scale;
    view.y = py - (py - view.y) * scale / view.scale;
    view.scale = scale;
    userMoved = true;
    apply();
  }

  function zoomAtCentre(factor) {
    zoomAt(factor, stage.clientWidth / 2, stage.clientHeight / 2);
  }

  // offsetWidth/offsetHeight ignore transforms: they are the drawing's natural size.
  function fit() {
    const margin = 16;
    const width = canvas.offsetWidth || 1;
    const height = canvas.offsetHeight || 1;
    const scale = clampScale(Math.min((stage.clientWidth - 2 * margin) / width,
                                      (stage.clientHeight - 2 * margin) / height, 2));
    view.scale = scale > 0 ? scale : 1;
    view.x = (stage.clientWidth - width * view.scale) / 2;
    view.y = (stage.clientHeight - height * view.scale) / 2;
    userMoved = false;
    apply();
  }

  function centreOn(element) {
    const box = element.getBoundingClientRect();
    const origin = canvas.getBoundingClientRect();
    // The element's centre in the drawing's own (untransformed) coordinates.
    const cx = (box.left + box.width / 2 - origin.left) / view.scale;
    const cy = (box.top + box.height / 2 - origin.top) / view.scale;
    view.scale = Math.max(view.scale, 1);
    view.x = stage.clientWidth / 2 - cx * view.scale;
    view.y = stage.clientHeight / 2 - cy * view.scale;
    userMoved = true;
    apply();
  }

  document.getElementById('tf-zoom-in').addEventListener('click', () => zoomAtCentre(kButtonZoom));
  document.getElementById('tf-zoom-out').addEventListener('click',
                                                          () => zoomAtCentre(1 / kButtonZoom));
  document.getElementById('tf-fit').addEventListener('click', fit);

  stage.addEventListener('wheel', (event) => {
    event.preventDefault();
    // deltaMode 1 counts lines, 2 pages; make them comparable to pixels.
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? stage.clientHeight : 1;
    const rect = stage.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * unit * 0.0015), event.clientX - rect.left,
           event.clientY - rect.top);
  }, { passive: false });

  // A press that moves pans the drawing; one that stays put is a click (it may select a node).
  let press = null;
  let swallowClick = false;

  stage.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    press = { x: event.clientX, y: event.clientY, viewX: view.x, viewY: view.y, dragging: false };
  });
  window.addEventListener('pointermove', (event) => {
    if (press === null) return;
    const dx = event.clientX - press.x;
    const dy = event.clientY - press.y;
    if (!press.dragging && Math.hypot(dx, dy) < kDragThreshold) return;
    press.dragging = true;
    stage.classList.add('tf-dragging');
    view.x = press.viewX + dx;
    view.y = press.viewY + dy;
    userMoved = true;
    apply();
  });
  window.addEventListener('pointerup', () => {
    if (press !== null && press.dragging) swallowClick = true;
    press = null;
    stage.classList.remove('tf-dragging');
  });
  stage.addEventListener('click', (event) => {
    if (!swallowClick) return;
    swallowClick = false;
    event.stopPropagation();
  }, true);

  window.addEventListener('resize', () => {
    if (!userMoved) fit();
  });

  // ---- nodes ----

  function readDetails() {
    const element = document.getElementById('tf-details');
    try {
      const parsed = JSON.parse(element ? element.textContent : '{}');
      return parsed && typeof parsed.nodes === 'object' && parsed.nodes !== null ? parsed.nodes
                                                                                 : {};
    } catch (error) {
      console.warn('twinflow viz: unreadable node details', error);
      return {};
    }
  }

  // Own properties only: a node called "constructor" or "__proto__" is just a name.
  function detailsOf(id) {
    return Object.prototype.hasOwnProperty.call(details, id) ? details[id] || {} : {};
  }

  const nodes = Array.from(svg ? svg.querySelectorAll('g.node') : []).map((element) => {
    const title = element.querySelector(':scope > title');
    const id = title ? title.textContent : '';
    const info = detailsOf(id);
    const name = typeof info.name === 'string' && info.name !== '' ? info.name : id;
    element.setAttribute('tabindex', '0');
    element.setAttribute('role', 'button');
    element.setAttribute('aria-label', name);
    return { element, id, name, info };
  });
  const nodeByElement = new Map(nodes.map((node) => [node.element, node]));

  function nodeOfEvent(event) {
    const element = event.target instanceof Element ? event.target.closest('g.node') : null;
    return element ? nodeByElement.get(element) : undefined;
  }

  if (svg) {
    svg.addEventListener('click', (event) => {
      const node = nodeOfEvent(event);
      if (node) select(node);
    });
    svg.addEventListener('keydown', (event) => {
      const node = nodeOfEvent(event);
      if (node && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        select(node);
      }
    });
  }

  // ---- side panel ----

  let selected = null;
  const kKnownFields =
      new Set(['name', 'op', 'attrs', 'inputs', 'outputs', 'params', 'shared']);

  function select(node) {
    if (selected) selected.element.classList.remove('tf-selected');
    selected = node;
    node.element.classList.add('tf-selected');
    renderPanel(node);
    panel.hidden = false;
  }

  function closePanel() {
    if (selected) selected.element.classList.remove('tf-selected');
    selected = null;
    panel.hidden = true;
  }

  document.getElementById('tf-panel-close').addEventListener('click', closePanel);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && event.target !== search) closePanel();
  });

  function add(parent, tag, text, className) {
    const element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    if (className) element.className = className;
    parent.appendChild(element);
    return element;
  }

  function show(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return value.toLocaleString('en-US');
    return JSON.stringify(value);
  }

  function addTable(heading, rows) {
    if (rows.length === 0) return;
    add(panelBody, 'h3', heading);
    const table = add(panelBody, 'table');
    for (const [key, value] of rows) {
      const row = add(table, 'tr');
      add(row, 'td', key);
      add(row, 'td', value);
    }
  }

  // [{name, shape}] as rows; a bare string counts as a name.
  function tensorRows(list) {
    if (!Array.isArray(list)) return [];
    return list.map((tensor) => {
      if (typeof tensor !== 'object' || tensor === null) return [show(tensor), ''];
      return [tensor.name === undefined ? '' : show(tensor.name),
              tensor.shape === undefined ? '' : show(tensor.shape)];
    });
  }

  function renderPanel(node) {
    const info = node.info;
    panelBody.replaceChildren();
    add(panelBody, 'h2', node.name, 'tf-name');
    if (info.op !== undefined) add(panelBody, 'div', show(info.op), 'tf-op');
    if (typeof info.shared === 'number' && info.shared > 1) {
      add(panelBody, 'div', 'shared \u00d7' + info.shared, 'tf-shared');
    }
    const summary = [];
    if (info.params !== undefined) summary.push(['parameters', show(info.params)]);
    if (node.id !== node.name) summary.push(['graph node', node.id]);
    addTable('Summary', summary);
    const attrs = typeof info.attrs === 'object' && info.attrs !== null ? info.attrs : {};
    addTable('Attributes', Object.keys(attrs).map((key) => [key, show(attrs[key])]));
    addTable('Inputs', tensorRows(info.inputs));
    addTable('Outputs', tensorRows(info.outputs));
    // Fields this viewer does not know yet are still shown, as they are.
    const extra = Object.keys(info).filter((key) => !kKnownFields.has(key));
    addTable('More', extra.map((key) => [key, show(info[key])]));
    if (Object.keys(info).length === 0) add(panelBody, 'p', 'No details for this node.');
  }

  // ---- search ----

  let matches = [];
  let current = -1;

  // Exact names first, then prefixes, then other substrings; drawing order within each.
  function rank(node, query) {
    const name = node.name.toLowerCase();
    const id = node.id.toLowerCase();
    if (name === query || id === query) return 0;
    if (name.startsWith(query) || id.startsWith(query)) return 1;
    if (name.includes(query) || id.includes(query)) return 2;
    return -1;
  }

  function clearMatches() {
    for (const node of matches) node.element.classList.remove('tf-match', 'tf-current');
    matches = [];
    current = -1;
  }

  function runSearch() {
    clearMatches();
    const query = search.value.trim().toLowerCase();
    if (query === '') {
      searchStatus.textContent = '';
      return;
    }
    matches = nodes.map((node) => ({ node, rank: rank(node, query) }))
                  .filter((entry) => entry.rank >= 0)
                  .sort((a, b) => a.rank - b.rank)
                  .map((entry) => entry.node);
    for (const node of matches) node.element.classList.add('tf-match');
    if (matches.length === 0) {
      searchStatus.textContent = 'no match';
      return;
    }
    moveTo(0);
  }

  function moveTo(index) {
    if (current >= 0) matches[current].element.classList.remove('tf-current');
    current = (index + matches.length) % matches.length;
    matches[current].element.classList.add('tf-current');
    searchStatus.textContent = (current + 1) + ' / ' + matches.length;
    centreOn(matches[current].element);
  }

  search.addEventListener('input', runSearch);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && matches.length > 0) {
      event.preventDefault();
      moveTo(current + (event.shiftKey ? -1 : 1));
    } else if (event.key === 'Escape') {
      search.value = '';
      runSearch();
    }
  });

  fit();
})();
