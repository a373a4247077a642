/* The explorer's filters as plain form controls: `cockpit_controls.Choices` (layouts/components/choices.py).
   Each option is a <label> around an <input type="checkbox"> (multiple) or <input type="radio"> sharing a name, so
   the browser and assistive technology treat them as a group of checkboxes or radio buttons (arrow keys move
   between radio buttons, space toggles a checkbox). A change reports the new value to Dash (`setProps`). */
(function () {
  var React = window.React;

  function Choices(props) {
    var multiple = !!props.multiple;
    var chosen = multiple ? (Array.isArray(props.value) ? props.value : []) : props.value;
    var name = props.name || props.id;

    function change(option, checked) {
      if (!props.setProps) {
        return;
      }
      if (!multiple) {
        props.setProps({value: option.value});
        return;
      }
      var next = chosen.filter(function (v) { return v !== option.value; });
      if (checked) {
        next.push(option.value);
      }
      props.setProps({value: next});
    }

    var items = (props.options || []).map(function (option) {
      var checked = multiple ? chosen.indexOf(option.value) !== -1 : chosen === option.value;
      var inputId = props.id + "--" + (option.value === "" ? "all" : option.value);
      return React.createElement(
        "label",
        {key: inputId, htmlFor: inputId, className: "explorer-choice__option" + (checked ? " explorer-choice__option--on" : "")},
        React.createElement("input", {
          type: multiple ? "checkbox" : "radio", id: inputId, name: name, value: option.value, checked: checked,
          className: "explorer-choice__input",
          onChange: function (event) { change(option, event.target.checked); }
        }),
        React.createElement(
          "span", {className: "explorer-choice__label"}, option.label,
          option.internal ? React.createElement("span", {className: "explorer-opt__internal", "aria-hidden": "true"}) : null
        )
      );
    });
    return React.createElement("div", {id: props.id, className: props.className}, items);
  }

  window.cockpit_controls = Object.assign({}, window.cockpit_controls, {Choices: Choices});
})();
