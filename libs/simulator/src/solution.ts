/** One instruction: at `assignmentTime` the courier is told to collect these orders (drop-off sequence) and picks them up at `pickupTime`. */
export interface AssignmentRecord {
  assignmentTime: number;
  pickupTime: number;
  courierId: string;
  orderIds: string[];
}

/** A delivered order's times. */
export interface OrderRecord {
  orderId: string;
  placementTime: number;
  readyTime: number;
  pickupTime: number;
  dropoffTime: number;
  courierId: string;
}

/** One move of a courier: it leaves `origin` ('0' for its start position, else a restaurant or order id) at `departureTime`. */
export interface MoveRecord {
  courierId: string;
  departureTime: number;
  origin: string;
  destination: string;
}

/** What the official evaluator reads: assignments, delivered orders, and each courier's moves in the order made. */
export interface Solution {
  assignments: AssignmentRecord[];
  orders: OrderRecord[];
  moves: MoveRecord[];
}
