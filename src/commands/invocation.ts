/** How the user started init-bench, so that a hint's command can be pasted as it is. */
export function invokedAs(env: NodeJS.ProcessEnv = process.env): string {
  // npx and `npm exec` set npm_command=exec for the program they start; `npm run` sets run-script.
  return env.npm_command === 'exec' ? 'npx init-bench' : 'init-bench';
}
