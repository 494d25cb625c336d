import { useState } from 'react';
import { describeError } from './api';

/** Runs an operator's step, then `onDone`; a refusal is kept as `problem` (in Korean, with the server's code). */
export function useAction(onDone: () => void): { problem: string | null; act: (step: () => Promise<unknown>) => Promise<void> } {
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (step: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await step();
      onDone();
    } catch (e) {
      setProblem(describeError(e));
    }
  };
  return { problem, act };
}
