/** A form's `onsubmit`: runs `action` in place of the browser's submit, which would reload the window. */
export function submitted(action: () => unknown): (event: SubmitEvent) => void {
  return (event) => {
    event.preventDefault();
    void action();
  };
}
