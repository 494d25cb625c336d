import type { Instance, Order } from './instance.js';
import type { CourierView, Instruction } from './world.js';

/** What a policy is shown each minute: the orders placed and not yet assigned, and every courier. */
export interface WorldView {
  instance: Instance;
  now: number;
  waiting: readonly Order[];
  couriers: readonly CourierView[];
}

/** A dispatch policy under test: each minute it answers with the instructions to give now. */
export interface Policy {
  readonly name: string;
  decide(view: WorldView): Instruction[];
}
